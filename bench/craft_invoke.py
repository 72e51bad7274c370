"""craft_tk's invoke round trips in a process of their own (``bench.raw_cef``'s and
``bench.raw_tkhtml``'s counterpart): ``python -m bench.craft_invoke --engine cef|tkhtml N``
shows the bench page in a panel; the page awaits ``craft.invoke('echo', i)`` N times in
a row, then Python awaits ``panel.invoke("echo", i)`` N times in a row. Prints
``{"p50_ms", "p99_ms", "native_p50_ms", "native_p99_ms"}`` as the raw scripts do.
"""

import argparse
import json

from . import percentile
from .__main__ import Bench


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.craft_invoke")
    parser.add_argument("--engine", required=True, choices=["cef", "tkhtml"])
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    bench = Bench(args.engine, quick=False)
    page, native = bench.page_invoke_trips(args.n), bench.native_invoke_trips(args.n)
    print(json.dumps({"p50_ms": percentile(page, 50) * 1000, "p99_ms": percentile(page, 99) * 1000,
                      "native_p50_ms": percentile(native, 50) * 1000, "native_p99_ms": percentile(native, 99) * 1000}))
    bench.root.destroy()


if __name__ == "__main__":
    main()
