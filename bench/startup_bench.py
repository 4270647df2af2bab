"""Start-up benchmark: how long `gkcatalog parse` takes on one small catalog file, and `gkcatalog check` on a
100-row XLSX against a baseline file (a county checking offline), against the floor that the same
interpreter needs to import openpyxl (which both need anyway), measured in the same run. The goal for the
check is at most 3× the floor.

Each command runs as a fresh process, alternating with the others, and the median and the fastest of the
runs are printed with a bar chart. `--gkcatalog` times another installation (e.g. an older checkout's
virtualenv) against the same reference, so two layouts can be compared on one machine.

    python bench/startup_bench.py [--runs 15] [--gkcatalog .venv/bin/gkcatalog]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "si_catalog_two_row_header.csv"
# runs the script as its console entry point does, then says which heavy frameworks got imported
PROBE = """
import runpy, sys
script, sys.argv = sys.argv[1], ["gkcatalog", *sys.argv[2:]]
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit:
    pass
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "flask", "alembic"})) or "none",
      file=sys.stderr)
"""


def check_files(folder: Path) -> tuple[Path, Path]:
    """A 100-row county catalog (XLSX) and the baseline it is checked against (YAML), both from the demo
    social-assistance baseline, its items repeated under numbered names."""
    import yaml

    from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
    from ckanext_gkcatalog.demo.province import baseline_items
    from ckanext_gkcatalog.writers import write_catalog

    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    base = baseline_items(load_baseline(path.read_bytes(), path.name))
    items = [dict(base[n % len(base)], level2=f"{base[n % len(base)]['level2']}{n // len(base) or ''}",
                  subject="青山县民政局") for n in range(100)]
    catalog = folder / "catalog100.xlsx"
    catalog.write_bytes(write_catalog(items, "xlsx", "青山县社会救助领域基层政务公开标准目录"))
    baseline = folder / "baseline.yaml"
    baseline.write_text(yaml.safe_dump({"domain": "social_assistance", "title": "bench", "items": [
        {k: v for k, v in i.items() if k not in ("domain", "subject")} for i in items]}, allow_unicode=True),
        encoding="utf-8")
    return catalog, baseline


def run(command: list[str]) -> tuple[float, str]:
    """Seconds the process took, and the last line it printed on stderr."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT.parent, timeout=120)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):  # a check with findings exits 1
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    return took, (done.stderr.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--gkcatalog", default=str(ROOT / ".venv" / "bin" / "gkcatalog"),
                        help="the gkcatalog script to time (its interpreter is taken from its first line)")
    args = parser.parse_args()
    script = Path(args.gkcatalog).resolve()
    python = script.read_text(encoding="utf-8").splitlines()[0].removeprefix("#!").strip() or sys.executable
    workdir = Path(tempfile.mkdtemp(prefix="gk-startup-"))
    catalog, baseline = check_files(workdir)
    commands = {
        "python -c 'import openpyxl' (floor)": [python, "-c", "import openpyxl"],
        "gkcatalog parse --help": [str(script), "parse", "--help"],
        f"gkcatalog parse {SAMPLE.name}": [str(script), "parse", str(SAMPLE), "--format", "json"],
        f"gkcatalog check {catalog.name} (100 rows) --baseline": [str(script), "check", str(catalog), "--baseline",
                                                                   str(baseline), "-o", str(workdir / "report.txt")],
    }
    # once each: warms the file cache and says which frameworks the command imports
    frameworks = {name: run([python, "-c", PROBE, *command])[1] for name, command in commands.items()
                  if command[0] == str(script)}
    times: dict = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(run(command)[0])
    floor = statistics.median(times[next(iter(commands))])
    print(f"{script} ({args.runs} runs each, {os.cpu_count()} cores)\n")
    print(f"{'command':<52} {'median':>8} {'fastest':>8} {'× floor':>8}  frameworks imported")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<52} {median * 1000:>6.0f}ms {min(values) * 1000:>6.0f}ms {median / floor:>7.2f}×  "
              f"{frameworks.get(name, '')}")
    print()
    widest = max(statistics.median(v) for v in times.values())
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<52} {'█' * round(40 * median / widest)} {median * 1000:.0f} ms")


if __name__ == "__main__":
    main()
