"""Run scenarios under the classic pyautogen 0.2.35 and under this tree; diff what a user sees.

    python scripts/classic_diff/run.py [--classic PY] [--out DIR] [scenario ...]

With no scenario names, all of them run. Each run's stdout goes to DIR/<name>.classic and DIR/<name>.ours
(stderr next to them, ``.err``); the unified diff of the two is printed, or "same".
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCENARIOS = HERE / "scenarios.py"


def run_one(python: str, name: str, pythonpath: str, out: Path, tag: str) -> str:
    env = dict(os.environ, PYTHONPATH=pythonpath, CLASSIC_DIFF_REPO=str(REPO))
    with tempfile.TemporaryDirectory() as cwd:  # the classic interpreter must not see this tree through cwd
        proc = subprocess.run(
            [python, str(SCENARIOS), name], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
    (out / f"{name}.{tag}").write_text(proc.stdout)
    (out / f"{name}.{tag}.err").write_text(proc.stderr)
    return proc.stdout + ("" if proc.returncode == 0 else f"\n[exit code {proc.returncode}]\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classic", default="/tmp/h24-classic-venv/bin/python", help="python of the classic venv")
    parser.add_argument("--ours", default=sys.executable, help="python that runs this tree")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "classic_diff"), help="output folder")
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    args = parser.parse_args()
    listing = subprocess.run([args.ours, str(SCENARIOS), "--list"], capture_output=True, text=True, check=True)
    names = args.names or listing.stdout.split()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    differing = 0
    for name in names:
        classic = run_one(args.classic, name, "", out, "classic")
        ours = run_one(args.ours, name, str(REPO), out, "ours")
        diff = list(difflib.unified_diff(classic.splitlines(), ours.splitlines(), "classic", "ours", lineterm=""))
        print(f"=== {name}: {'differs' if diff else 'same'}")
        if diff:
            differing += 1
            print("\n".join(diff))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
