"""What the API tests share: the service on a real port for concurrent requests, and the tally of requests
the fuzz run sent, reported after the run."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from live_server import serving


@dataclass
class FuzzTally:
    """Requests sent, by operation ("GET /api/v1/agencies"), and how many of them access control refused:
    a refused request never reached the operation's handler."""

    sent: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)

    def record(self, label: str, status: int) -> None:
        self.sent[label] += 1
        if status in (401, 403):
            self.refused[label] += 1

    def add(self, other: "FuzzTally") -> None:
        self.sent.update(other.sent)
        self.refused.update(other.refused)


FUZZ_TALLY = pytest.StashKey[FuzzTally]()


@pytest.fixture(scope="session")
def fuzz_tally(request: pytest.FixtureRequest) -> FuzzTally:
    return request.config.stash.setdefault(FUZZ_TALLY, FuzzTally())


@pytest.fixture
def fuzz_operation(request: pytest.FixtureRequest, fuzz_tally: FuzzTally) -> Iterator[FuzzTally]:
    """One operation's requests; a test that sent none fails, since it tested nothing."""
    mine = FuzzTally()
    yield mine
    fuzz_tally.add(mine)
    assert mine.sent, f"schemathesis sent no request for {request.node.name}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say how much the fuzzing did, so a run that tested little shows it even when it passes."""
    tally = config.stash.get(FUZZ_TALLY, None)
    if tally is None or not tally.sent:
        return
    sent, refused = tally.sent, tally.refused
    write = terminalreporter.write_line
    terminalreporter.section("schemathesis: generated requests sent")
    write(
        f"{sent.total()} requests over {len(sent)} operations; {refused.total()} refused with 401 or 403 "
        "(their handler did not run)"
    )
    for label in sorted(sent, key=lambda label: (label.split(" ", 1)[1], label)):
        note = f"  ({refused[label]} refused)" if refused[label] else ""
        write(f"{sent[label]:5d}  {label}{note}")


@pytest.fixture
def live_server(engine):
    """The service under uvicorn on a free local port, in a thread, for real concurrent requests."""
    with serving() as url:
        yield url
