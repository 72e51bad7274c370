"""craft_tk's benchmarks: ``python -m bench --engine cef|tkhtml`` (``make bench`` runs both)."""

import atexit
import shutil
import tempfile
from typing import Any, Dict, List

WARM_UP = 50  # round trips left out of a measurement: the engine's first ones are slower


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def raw_cef_settings(cef: Any, **more: Any) -> Dict[str, Any]:
    """cefpython3 settings of the raw CEF baselines: quiet, no DevTools server, and CEF's
    files (caches, blob storage, WebRTC logs) in a folder removed at exit, not in the
    working directory (craft_tk's CEF keeps them in its own cache folder too)."""
    cache = tempfile.mkdtemp(prefix="craft-bench-cef-")
    atexit.register(shutil.rmtree, cache, True)
    return dict({"log_severity": cef.LOGSEVERITY_DISABLE, "remote_debugging_port": -1, "cache_path": cache}, **more)
