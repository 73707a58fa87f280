"""Overdue actions of agencies' plans: each owner reminded once, by DM or (through the service) by email,
and each partnership's channel told the counts."""
