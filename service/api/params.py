"""The path parameters the routers share, bounded so that no value can make a query fail.

A value out of bounds is bad input (422), never an overflow or an unstorable string in the database.
"""

from typing import Annotated

from fastapi import Path

# Case references are letters, digits and hyphens (HAC-2026-0007); anything else cannot name a case.
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"

Ref = Annotated[
    str,
    Path(
        min_length=1,
        max_length=32,
        pattern=REF_PATTERN,
        description="the case reference, such as HAC-2026-0007",
    ),
]
"""A case reference in a path."""

MAX_ID = 2**31 - 1  # the integer columns' largest value

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A record's id, or a version number, in a path: bounded as the integer columns are."""
