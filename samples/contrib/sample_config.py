"""Where the contrib samples find their model configs: ``samples/config_loader.py``, shared by every sample."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # samples/, where the shared loader lives

import config_loader  # noqa: E402
from config_loader import CONFIG_NAME, EXIT_NO_CONFIG, REPO_ROOT  # noqa: E402, F401
from config_loader import load_config_list_or_exit as load_config_list  # noqa: E402, F401


def config_location(program: str) -> Tuple[str, str]:
    """``(config_file_or_env, file_location)`` for ``config_list_from_json``; exits with 2 when nothing is set."""
    try:
        return config_loader.config_location()
    except FileNotFoundError as exc:
        config_loader.fail(program, str(exc))
