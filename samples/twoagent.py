#!/usr/bin/env python
"""Two agents solve a task together: an assistant writes code, a user proxy runs it and reports the result.

Run it with ``./scripts/run_twoagent.sh`` (which installs the package first) or, with the package installed,
``python samples/twoagent.py --message "..."``.

The model configuration is looked up in this order; the first one found is used:

1. ``OAI_CONFIG_LIST``: an environment variable holding a JSON list of model configs or the path of a JSON file
   with one; else a file named ``OAI_CONFIG_LIST`` in the current directory or in the repository root
   (copy ``OAI_CONFIG_LIST_sample`` to start one).
2. ``OPENAI_API_KEY``, with the optional ``OPENAI_MODEL`` (default ``gpt-4o``) and ``OPENAI_BASE_URL`` (any
   OpenAI-compatible server: Ollama, vLLM, ...). ``OPENAI_BASE_URL`` alone is enough for a local server that
   needs no key.

Code written by the assistant runs in a Docker container by default. Set ``AUTOGEN_USE_DOCKER=False`` to run it
directly on this machine instead (only do that where running model-written code is acceptable).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Optional

DEFAULT_MESSAGE = "Plot a chart of NVDA and TESLA stock price change YTD."
DEFAULT_MODEL = "gpt-4o"
CONFIG_NAME = "OAI_CONFIG_LIST"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = REPO_ROOT / "OAI_CONFIG_LIST_sample"

EXIT_NO_CONFIG = 2
EXIT_NOT_INSTALLED = 3


class ConfigError(Exception):
    """No usable model configuration; the message says what to set."""


def _no_config_message() -> str:
    return "\n".join(
        [
            "No model is configured for the two-agent sample. Set one of these:",
            f"  * {CONFIG_NAME}: an environment variable holding a JSON list of model configs, or the path of a",
            f"    JSON file with one; or a file named {CONFIG_NAME} in the current directory or in {REPO_ROOT}.",
            f"    Start from the example file: cp {SAMPLE_CONFIG} {REPO_ROOT / CONFIG_NAME}  (then edit it)",
            "  * OPENAI_API_KEY, and optionally OPENAI_MODEL (default gpt-4o) and OPENAI_BASE_URL for any",
            "    OpenAI-compatible server. For a local Ollama server, for example:",
            "      export OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.1",
        ]
    )


def load_config_list(environ: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> tuple[list[dict], str]:
    """Return ``(config_list, where_it_came_from)``, or raise ConfigError saying what to set."""
    env = os.environ if environ is None else environ
    here = Path.cwd() if cwd is None else cwd

    import autogen

    sources: list[tuple[str, str]] = []  # (file_location for config_list_from_json, description)
    if env.get(CONFIG_NAME):
        sources.append(("", f"the {CONFIG_NAME} environment variable"))
    else:
        for folder in dict.fromkeys([here, REPO_ROOT]):  # ordered, without duplicates
            if (folder / CONFIG_NAME).is_file():
                sources.append((str(folder), str(folder / CONFIG_NAME)))
                break
    for location, description in sources:
        try:
            config_list = autogen.config_list_from_json(CONFIG_NAME, file_location=location)
        except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            raise ConfigError(f"Could not read the model configs from {description}: {exc}") from exc
        if not config_list:
            raise ConfigError(f"{description} holds no model configs; it must be a non-empty JSON list.")
        return list(config_list), description

    api_key = env.get("OPENAI_API_KEY")
    base_url = env.get("OPENAI_BASE_URL")
    if api_key or base_url:
        config: dict[str, Any] = {"model": env.get("OPENAI_MODEL") or DEFAULT_MODEL}
        # A local server usually ignores the key, but the openai client insists on having one.
        config["api_key"] = api_key or "not-needed"
        if base_url:
            config["base_url"] = base_url
        return [config], "OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL"

    raise ConfigError(_no_config_message())


def describe(config_list: list[dict]) -> str:
    """A one-line summary of a config list that never shows keys."""
    parts = []
    for config in config_list:
        where = config.get("base_url") or config.get("api_type") or "api.openai.com"
        parts.append(f"{config.get('model', '?')} @ {where}")
    return "; ".join(parts)


def is_termination_msg(message: dict) -> bool:
    content = message.get("content")
    return isinstance(content, str) and content.rstrip().endswith("TERMINATE")


def run(message: str, config_list: list[dict], *, max_auto_replies: int = 10, work_dir: str = "coding") -> Any:
    """Hold the two-agent chat and return its ChatResult."""
    import autogen

    assistant = autogen.AssistantAgent("assistant", llm_config={"config_list": config_list})
    user_proxy = autogen.UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",  # run unattended: nobody is asked for input
        max_consecutive_auto_reply=max_auto_replies,  # and the chat always ends
        is_termination_msg=is_termination_msg,
        # "use_docker" is left out on purpose: the library then decides from AUTOGEN_USE_DOCKER (Docker by default).
        code_execution_config={"work_dir": work_dir},
    )
    return user_proxy.initiate_chat(assistant, message=message)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the AutoGen two-agent sample: an assistant writes code and a user proxy executes it.",
        epilog="Model configuration: OAI_CONFIG_LIST, else OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL. "
        "Code runs in Docker unless AUTOGEN_USE_DOCKER=False.",
    )
    parser.add_argument("--message", default=DEFAULT_MESSAGE, help="the task for the agents (default: %(default)s)")
    parser.add_argument(
        "--max-auto-replies",
        type=int,
        default=10,
        help="most automatic replies the user proxy sends in a row before the chat stops (default: %(default)s)",
    )
    parser.add_argument("--work-dir", default="coding", help="where code is written and run (default: %(default)s)")
    parser.add_argument(
        "--check-config",
        action="store_true",
        help="only check that a model is configured, say which, and exit",
    )
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    try:
        import autogen  # noqa: F401
    except ImportError as exc:
        print(
            f"twoagent: the autogen package is not installed ({exc}).\n"
            f"Run ./scripts/run_twoagent.sh, or install it first: pip install -e {REPO_ROOT}",
            file=sys.stderr,
        )
        return EXIT_NOT_INSTALLED
    try:
        config_list, source = load_config_list()
    except ConfigError as exc:
        print(f"twoagent: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    print(f"twoagent: models from {source}: {describe(config_list)}", file=sys.stderr)
    if args.check_config:
        return 0

    result = run(args.message, config_list, max_auto_replies=args.max_auto_replies, work_dir=args.work_dir)
    summary = getattr(result, "summary", None)
    print("\n=== summary", file=sys.stderr)
    print(summary if summary else "(no summary)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
