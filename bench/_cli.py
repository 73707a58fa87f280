"""The command line a bench starts from: described by the first line of its docstring, its counts as
integer options, and ``--smoke``, which puts small counts in their place so the bench shows in seconds
that it works."""

import argparse
from collections.abc import Mapping


def options(doc: str | None, *, smoke: str, **counts: int) -> argparse.ArgumentParser:
    """``--smoke`` (``smoke`` is its help) and an integer option a count (``plan_size=1000`` is
    ``--plan-size``, 1000 unless given); the bench adds the rest of its options to what this returns."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    for name, default in counts.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    parser.add_argument("--smoke", action="store_true", help=smoke)
    return parser


def parse(parser: argparse.ArgumentParser, *, smoke: Mapping[str, object]) -> argparse.Namespace:
    """The arguments given, with ``smoke``'s values in place of theirs under ``--smoke``."""
    args = parser.parse_args()
    if args.smoke:
        for name, value in smoke.items():
            setattr(args, name, value)
    return args
