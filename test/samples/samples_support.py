"""Shared by the sample tests: where the samples are, and how to run one as a user would.

Importing this module also makes the sample apps' modules importable (as their own scripts find them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "samples"
CHESS_DIR = SAMPLES / "apps" / "conversational-chess"
ANNY_DIR = SAMPLES / "apps" / "auto-anny"

# the sample apps are folders of modules, not installed packages: make them importable as their scripts do
for folder in (CHESS_DIR, ANNY_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# variables of a developer's own setup that would change what a sample run does
_SCRUBBED = ("OAI_CONFIG_LIST", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "GITHUB_TOKEN", "GITHUB_API_URL")


def run_script(
    script: Path, args: list[str], env: dict[str, str], cwd: Path, stdin: Optional[str] = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python script args`` the way a user would, with ``env`` on top of a scrubbed environment."""
    base = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    full_env = {**base, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1", **env}
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=full_env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )
