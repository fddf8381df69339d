"""AutoGen beside the classic package, measured in one run.

Installs pyautogen 0.2.35 (the classic AutoGen 0.2, from PyPI) into a virtual environment of its own, with
the openai SDK pinned to the version this environment has, so that both sides make the same SDK calls.
Then runs each scenario of ``bench/run.py`` on both, one after the other, alternating which goes first
(so that a busy spell of the machine falls on both), and prints every row with its ratio ours / classic.

    python bench/compare.py                          # full run
    python bench/compare.py --quick                  # few repetitions
    python bench/compare.py --only first_reply,two_agent --venv /tmp/classic
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"
CLASSIC_REQUIREMENTS = ["pyautogen==0.2.35", "anthropic==0.34.2", "httpx<0.28"]
# Scenarios measured on both sides: the classic public API only (run_chats, docker and jupyter rows are ours).
SCENARIOS = [
    "import_time",
    "first_reply",
    "two_agent",
    "tool_call",
    "group_chat",
    "code_execution",
    "history_growth",
    "concurrency",
    "agent_creation",
]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_classic(venv: Path) -> Path:
    """The classic package's interpreter, installing it first when the venv lacks it."""
    python = venv_python(venv)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = "import importlib.metadata as m; print(m.version('pyautogen'), m.version('openai'))"
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tempfile.gettempdir())
    wanted_openai = metadata.version("openai")
    if found.returncode != 0 or found.stdout.split() != ["0.2.35", wanted_openai]:
        print(f"installing {' '.join(CLASSIC_REQUIREMENTS)} and openai=={wanted_openai} into {venv} ...", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *CLASSIC_REQUIREMENTS, f"openai=={wanted_openai}"], check=True
        )
    return python


def run_side(python: Path, scenario: str, classic: bool, quick: bool) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    argv = [str(python), str(RUN), "--only", scenario, "--json", str(out)]
    argv += ["--classic"] if classic else []
    argv += ["--quick"] if quick else []
    env = dict(os.environ)
    if classic:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    done = subprocess.run(argv, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
    try:
        rows = json.loads(out.read_text()) if out.stat().st_size else []
    finally:
        out.unlink(missing_ok=True)
    if not rows:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [{"name": f"{scenario} (failed: {tail[0][:60]})", "value": float("nan"), "unit": ""}]
    return rows


def _fmt(row: Optional[dict[str, Any]], unit: str) -> str:
    if row is None or row["value"] != row["value"]:  # missing, or NaN: the scenario failed on that side
        return "n/a"
    return f"{row['value']:.2f} {unit}"


def format_table(pairs: list[tuple[dict[str, Any], Optional[dict[str, Any]]]]) -> str:
    lines = [f"{'what':<82} {'ours':>14} {'classic 0.2.35':>16} {'ours/classic':>13}"]
    for ours, classic in pairs:
        unit = ours.get("unit", "")
        ratio = ""
        if classic is not None and classic["value"] and ours["value"] == ours["value"]:
            ratio = f"{ours['value'] / classic['value']:.3f}x"
        lines.append(f"{ours['name']:<82} {_fmt(ours, unit):>14} {_fmt(classic, unit):>16} {ratio:>13}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=str(ROOT / "bench" / ".classic-venv"), help="where the classic package goes")
    parser.add_argument("--quick", action="store_true", help="few repetitions (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    parser.add_argument("--json", help="also write the table to this JSON file")
    args = parser.parse_args(argv)
    classic_python = ensure_classic(Path(args.venv))
    chosen = [s for s in SCENARIOS if not args.only or s in args.only.split(",")]
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, openai {metadata.version('openai')} on both sides, "
        f"load average at start {load[0]:.1f}",
        flush=True,
    )
    pairs: list[tuple[dict[str, Any], Optional[dict[str, Any]]]] = []
    for i, scenario in enumerate(chosen):
        sides = [(Path(sys.executable), False), (classic_python, True)]
        if i % 2:
            sides.reverse()  # interleaved: each side goes first every other scenario
        results = {classic: run_side(python, scenario, classic, args.quick) for python, classic in sides}
        by_name = {r["name"]: r for r in results[True]}
        seen = {ours["name"] for ours, _ in pairs}  # the floor row comes with every scenario: keep the first
        pairs += [(row, by_name.get(row["name"])) for row in results[False] if row["name"] not in seen]
        print(f"  {scenario} done", file=sys.stderr, flush=True)
    print(format_table(pairs))
    if args.json:
        Path(args.json).write_text(json.dumps([{"ours": o, "classic": c} for o, c in pairs], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
