"""bench/compare.py: one side of a scenario runs through bench/run.py and the table pairs rows by name.

Installing the classic package from PyPI is compare.py's own job (not a test's); the classic side is
exercised by running compare.py. No timing is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import compare  # noqa: E402


def test_one_side_of_the_code_block_scenario_gives_its_rows() -> None:
    rows = compare.run_side(Path(sys.executable), "code_execution", classic=False, quick=True)
    by_name = {row["name"]: row for row in rows}
    for lang in ("python", "bash"):
        row = by_name[f"{lang} code block run locally through the agent, / bare subprocess"]
        assert row["unit"] == "x" and row["value"] > 0 and row["target"] == 0.5
    assert by_name["bare `bash -c true` subprocess"]["value"] > 0


def test_a_failing_side_is_reported_not_raised() -> None:
    rows = compare.run_side(Path(sys.executable), "no_such_scenario_xyz", classic=False, quick=True)
    assert len(rows) >= 1  # the floor row at least, or a "failed" row
    assert all("name" in row and "value" in row for row in rows)


def test_table_pairs_rows_and_prints_ratios() -> None:
    ours = {"name": "two-agent chat, per turn", "value": 0.5, "unit": "ms"}
    classic = {"name": "two-agent chat, per turn", "value": 10.0, "unit": "ms"}
    failed = {"name": "concurrency (failed: boom)", "value": float("nan"), "unit": ""}
    table = compare.format_table([(ours, classic), (failed, None)]).splitlines()
    assert table[0].split()[-3:] == ["classic", "0.2.35", "ours/classic"]
    assert table[1].split()[-5:] == ["0.50", "ms", "10.00", "ms", "0.050x"]
    assert table[2].split()[-2:] == ["n/a", "n/a"]
