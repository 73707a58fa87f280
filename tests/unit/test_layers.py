"""The house plan's arrows, read from every module's imports: shared code below, the domain in the middle
(the approved list, then the matching of consultants to cases, then the cases), the shells on top, and the
bot talking to the service only through its API."""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "registry", "matching", "commissioning", "service", "bot")

# Which project packages each package may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "registry": {"core"},  # registry knows no cases
    "matching": {"core", "registry"},  # consultants against a case's context, never the case itself
    "commissioning": {"core", "registry", "matching"},  # the one domain package that reads both sides
    "service": {"core", "registry", "matching", "commissioning", "bot"},
    "bot": set(),  # the bot reaches the service through its API only
}
# The bot modules the service may use to run the bot: its app factory and settings, the API client it is
# handed, the jobs loop, the error reporter and the Socket Mode runner. Anything else is the bot's own.
BOT_ENTRY_POINTS = {
    "bot.app",
    "bot.settings",
    "bot.service_client",
    "bot.schedule",
    "bot.reporting",
    "bot.standalone",
}


def imports(path: Path) -> Iterator[str]:
    """Every absolute module name ``path`` imports (``from bot import schedule`` gives ``bot.schedule``)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@cache
def project_imports() -> tuple[tuple[str, str, str], ...]:
    """(package, importing file, imported module) for every import of another project package; read once
    for all the tests here, as parsing every module takes a while."""
    return tuple(
        (package, str(path.relative_to(ROOT)), name)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imports(path)
        if name.split(".")[0] in PACKAGES and name.split(".")[0] != package
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = sorted(
        f"{source} imports {name}"
        for owner, source, name in project_imports()
        if owner == package and name.split(".")[0] not in ALLOWED[package]
    )
    assert wrong == [], f"{package} may import only {sorted(ALLOWED[package]) or 'no project package'}"


def test_the_service_uses_only_the_bots_entry_points() -> None:
    internals = sorted(
        f"{source} imports {name}"
        for owner, source, name in project_imports()
        if owner == "service" and name.startswith("bot") and not _entry_point(name)
    )
    assert internals == []


def _entry_point(name: str) -> bool:
    """The package itself, an entry point, or a name imported from one (``bot.app.build_app``)."""
    return name == "bot" or any(name == entry or name.startswith(f"{entry}.") for entry in BOT_ENTRY_POINTS)


def test_the_walk_sees_real_imports() -> None:
    """Guard against a walk that finds nothing and so passes everything."""
    found = {(owner, name.split(".")[0]) for owner, _, name in project_imports()}
    assert {
        ("matching", "registry"),
        ("commissioning", "matching"),
        ("commissioning", "registry"),
        ("service", "core"),
        ("service", "bot"),
    } <= found


def test_no_source_file_is_over_600_lines() -> None:
    """A module that long holds more than one thing: split it by what it holds (tests and migrations
    aside, as the house plan says)."""
    long = {
        str(path.relative_to(ROOT)): count
        for package in (*PACKAGES, "bench")
        for path in (ROOT / package).rglob("*.py")
        if (count := len(path.read_text().splitlines())) > 600
    }
    assert long == {}
