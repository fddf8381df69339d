"""Where the samples find their model configs: ``OAI_CONFIG_LIST``.

``OAI_CONFIG_LIST`` is an environment variable holding a JSON list of model configs or the path of a JSON file
with one; else a file named ``OAI_CONFIG_LIST`` in the current directory or in the repository root (copy
``OAI_CONFIG_LIST_sample`` to start one). ``samples/twoagent.py`` also reads ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict, List, NoReturn, Tuple

CONFIG_NAME = "OAI_CONFIG_LIST"
REPO_ROOT = Path(__file__).resolve().parent.parent
EXIT_NO_CONFIG = 2


def config_location() -> Tuple[str, str]:
    """``(config_file_or_env, file_location)`` for ``config_list_from_json``; FileNotFoundError saying what to set."""
    if os.environ.get(CONFIG_NAME):
        return CONFIG_NAME, ""
    for folder in dict.fromkeys([Path.cwd(), REPO_ROOT]):
        if (folder / CONFIG_NAME).is_file():
            return CONFIG_NAME, str(folder)
    raise FileNotFoundError(
        f"No model is configured: set {CONFIG_NAME} to a JSON list of model configs (or to the path of a file with "
        f"one), or create the file {CONFIG_NAME} here or in {REPO_ROOT} (start from OAI_CONFIG_LIST_sample)."
    )


def load_config_list() -> List[Dict[str, Any]]:
    """The model configs; FileNotFoundError (saying what to set) when none is configured."""
    import autogen

    env_or_file, location = config_location()
    return list(autogen.config_list_from_json(env_or_file, file_location=location))


def load_config_list_or_exit(program: str) -> List[Dict[str, Any]]:
    """The model configs; exits with 2 (saying what to set) when there are none or they cannot be read."""
    try:
        config_list = load_config_list()
    except FileNotFoundError as exc:
        fail(program, str(exc))
    except (OSError, ValueError) as exc:
        fail(program, f"could not read the model configs from {CONFIG_NAME}: {exc}")
    if not config_list:
        fail(program, f"{CONFIG_NAME} holds no model configs; it must be a non-empty JSON list.")
    return config_list


def fail(program: str, message: str) -> NoReturn:
    print(f"{program}: {message}", file=sys.stderr)
    sys.exit(EXIT_NO_CONFIG)
