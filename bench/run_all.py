"""`make bench`: every benchmark module's `run()` rows, measured in one run, as one table.

A benchmark module (bench/bench_*.py) exposing `run() -> list[bench.wrk.Row]` is run here
(in file order; `--only NAME ...` to pick). Modules without `run()` still work standalone
and are listed as skipped. A benchmark that fails (non-2xx responses, a server that does
not start) is reported and the run exits non-zero after printing the table of the others.
Run: .venv/bin/python bench/run_all.py [--only bench_reads bench_processes] [--seconds 20]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk

HERE = Path(__file__).resolve().parent


def modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="module names (bench_reads, ...)")
    ap.add_argument("--seconds", type=float, help="seconds per round (TQ_BENCH_SECONDS)")
    args = ap.parse_args(argv)
    if args.seconds:  # read by bench.wrk's default before the modules import it
        os.environ["TQ_BENCH_SECONDS"] = str(args.seconds)
        wrk.SECONDS = args.seconds
    wrk.ensure_wrk()
    rows: list[wrk.Row] = []
    failed: list[str] = []
    skipped: list[str] = []
    started = time.monotonic()
    for name in args.only or modules():
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None:
            skipped.append(name)
            continue
        print(f"# {name}", flush=True)
        try:
            rows.extend(run())
        except Exception:
            traceback.print_exc()
            failed.append(name)
    print()
    print(
        f"# one run, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"wrk {wrk.THREADS} threads x {wrk.CONNECTIONS} connections, "
        f"{wrk.SECONDS:g} s rounds, median of {wrk.ROUNDS} interleaved; "
        f"{(time.monotonic() - started) / 60:.0f} min"
    )
    wrk.print_table(rows)
    if skipped:
        print(f"(standalone only, no run(): {', '.join(skipped)})")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
