"""make bench runs on a database that has never been migrated."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_bench_migrates_a_fresh_database_first(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    small = ["--households", "4", "--rows", "20", "--samples", "2", "--days", "1", "--quick"]
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", *small],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "gate_queries_per_checkin: " in result.stdout


def test_bench_refuses_an_unknown_part(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--only", "gate,nonsense"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "nonsense" in result.stderr
