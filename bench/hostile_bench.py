"""Hostile files against a normal catalog: each file is parsed in a fresh process, and the time of the parse
and the growth of the process's peak memory (RSS) are printed beside those of a real-shaped catalog parsed
the same way in the same run (the reference). The hostile files are those of tests/hostile.py: span and
merge bombs, a far cell, damaged zips, deep JSON, over-long CSV fields.

    python bench/hostile_bench.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, resource, sys, time
sys.path.insert(0, {tests!r})
from hostile import HOSTILE
from ckanext_gkcatalog.harvesters.parse import parse_document
case = sys.argv[1]
if case == "reference":
    sys.path.insert(0, {bench!r})
    from fuzz import seeds
    name, data = "reference.html", seeds()["html"]
else:
    name, build = HOSTILE[case]
    data = build()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
parsed = parse_document(data, name)
took = time.perf_counter() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({{"seconds": took, "grown_mb": grown / 1024, "bytes": len(data), "items": len(parsed.items),
                  "codes": sorted({{p.code for p in parsed.problems if p.is_error}})}}))
"""


def measure(case: str) -> dict:
    probe = PROBE.format(tests=str(ROOT / "tests"), bench=str(ROOT / "bench"))
    done = subprocess.run([sys.executable, "-c", probe, case], capture_output=True, text=True, timeout=300,
                          env={"RUST_BACKTRACE": "0", "PATH": ""})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from hostile import HOSTILE

    print(f"{'file':<46} {'bytes':>9} {'seconds':>8} {'peak +MB':>9} {'items':>6}  error findings")
    for case in ["reference", *HOSTILE]:
        runs = [measure(case) for _ in range(args.runs)]
        seconds = statistics.median(r["seconds"] for r in runs)
        grown = statistics.median(r["grown_mb"] for r in runs)
        codes = ", ".join(runs[0]["codes"]) or "-"
        bar = "█" * min(40, round(seconds * 40))
        print(f"{case:<46} {runs[0]['bytes']:>9} {seconds:>8.3f} {grown:>9.1f} {runs[0]['items']:>6}  {codes}  {bar}")


if __name__ == "__main__":
    main()
