"""craft_tk's benchmarks: ``python -m bench --engine cef|tkhtml`` (``make bench`` runs both)."""

from typing import List

WARM_UP = 50  # round trips left out of a measurement: the engine's first ones are slower


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
