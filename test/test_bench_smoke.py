"""A smoke run of the benchmark suite (bench/run.py): it runs and prints its rows. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_run(scenario: str, report: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", scenario, "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    # exit status 1 only says a target was missed, which a busy machine may cause: not this test's business
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return done


def test_bench_quick_run_prints_its_rows(tmp_path: Path) -> None:
    report = tmp_path / "rows.json"
    done = _quick_run("two_agent", report)
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["what", "ours", "x"]
    assert any(line.startswith("bare openai SDK call") for line in lines)
    assert any(line.startswith("two-agent chat, per turn") for line in lines)
    assert any(line.startswith("the same chat from the cache") for line in lines)
    rows = json.loads(report.read_text())
    assert [row["name"] for row in rows] == [
        "bare openai SDK call, 2 messages (the floor)",
        "two-agent chat, per turn (one LLM call)",
        "  (the floor measured in turns with it)",
        "the same chat from the cache, per turn",
    ]
    assert all(row["value"] > 0 for row in rows)


def test_the_concurrency_row_is_measured_in_a_child_process_and_reported(tmp_path: Path) -> None:
    report = tmp_path / "rows.json"
    _quick_run("concurrency", report)
    rows = json.loads(report.read_text())
    names = [row["name"] for row in rows]
    assert names[0] == "bare openai SDK call, 2 messages (the floor)"
    assert names[1].startswith("100 concurrent a_initiate_chat, 5 turns")
    assert rows[1]["unit"] == "of 100" and rows[1]["target"] == 60
    assert any(name.strip().startswith("memory per chat in flight") for name in names)
    assert all(row["value"] > 0 for row in rows)
