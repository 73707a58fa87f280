"""How a serving process's memory is collected.

Most of what a served process holds lives as long as it does: modules, routes, models, catalogues, the
compiled-query cache (about 400,000 tracked objects). Python's cyclic collector walks all of them at every
full collection, and under load those came every few seconds and stopped the process for 100-200 ms of
CPU each: the worst waits of the load bench. ``settle`` takes them out of its view once the app has
started, and lets the young generation grow before it is collected (each request makes thousands of
short-lived objects, nearly all freed by reference counting before any collection sees them).
"""

import gc

# Allocations (net of frees) between collections of the youngest generation: Python's default is 700.
YOUNG_THRESHOLD = 50_000


def settle() -> None:
    """Collect what start-up left behind, freeze the rest (``gc.freeze``: still freed by reference
    counting, no longer walked), and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
