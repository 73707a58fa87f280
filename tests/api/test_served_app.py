"""The app as ``scr serve`` runs it settles its process's heap once started (``service.heap``): what start-up
made is frozen out of the cyclic collector's walks, and the young generation is collected less often."""

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service import heap
from service.app import served_app


@pytest.fixture
def collector() -> Iterator[None]:
    """Python's collector as it was before the test, whatever the test did to it."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_serving_freezes_what_start_up_made_and_collects_the_young_less_often(collector):
    gc.unfreeze()
    with TestClient(served_app()) as client:
        assert gc.get_freeze_count() > 10_000  # the modules, routes and models start-up made
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        assert client.get("/healthz").status_code == 200


def test_the_app_tests_build_keeps_pythons_collector(collector):
    from service.app import create_app

    gc.unfreeze()
    with TestClient(create_app()):
        assert gc.get_freeze_count() == 0
