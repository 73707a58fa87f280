"""What ``pip install -e .`` installs is enough to run the service: ``scr serve --demo`` on a fresh
machine crashed importing slack_sdk's installation store, which needs greenlet, since SQLAlchemy 2.1 stopped
requiring it. The test venv had it only because Playwright (a dev dependency) does."""

from importlib.metadata import distribution

from packaging.requirements import Requirement

PROJECT = "scr-commissioning"


def runtime_closure(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution ``name`` (with ``extras``) requires at run time, transitively, as installed."""
    seen: set[tuple[str, frozenset[str]]] = set()
    wanted = [(name, extras)]
    while wanted:
        current, chosen = wanted.pop()
        for line in distribution(current).requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None and not any(marker.evaluate({"extra": extra}) for extra in chosen or {""}):
                continue
            key = requirement.name.lower().replace("_", "-")
            if (key, frozenset(requirement.extras)) in seen:
                continue
            seen.add((key, frozenset(requirement.extras)))
            wanted.append((key, frozenset(requirement.extras)))
    return {key for key, _ in seen}


def test_the_runtime_dependencies_without_dev_include_what_slacks_installation_store_imports() -> None:
    needed = runtime_closure(PROJECT)
    assert {"greenlet", "slack-sdk", "sqlalchemy"} <= needed
    assert "playwright" not in needed  # the closure is the runtime one, not the dev extra's
