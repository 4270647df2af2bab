"""Fuzzing in the suite: a few hundred mutants of a real-shaped catalog in every format the harvester reads,
through bench/fuzz.py (which runs each format in a worker process, so a native crash is counted, not fatal).
Every mutant must end as items or located problems: no unhandled exception, no crashed process."""
import json
import os
import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"
PER_FORMAT = 200


def test_mutated_catalogs_in_every_format_never_escape_as_exceptions(tmp_path):
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    done = subprocess.run([sys.executable, str(FUZZ), "--per-format", str(PER_FORMAT), "--seed", "7", "--json"],
                          capture_output=True, text=True, timeout=900, cwd=tmp_path, env=env)
    figures = json.loads(done.stdout.strip().splitlines()[-1])["formats"]
    assert set(figures) == {"html", "xlsx", "xls", "docx", "csv", "csv-gbk", "json"}
    for fmt, result in figures.items():
        assert result["tried"] == PER_FORMAT, (fmt, result)
        assert result["unhandled"] == 0 and result["crashes"] == 0, (fmt, result["examples"][:3])
