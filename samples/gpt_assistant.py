#!/usr/bin/env python
"""An OpenAI assistant (Assistants API) in a chat: it answers through its thread and calls a local Python tool.

Run it, with the package installed, as ``python samples/gpt_assistant.py --message "..."``.

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one). The first config is used; it
must point at an endpoint that serves the Assistants API (OpenAI or Azure OpenAI).

The assistant is created on your account (or reused: ``--assistant-id``, or one with the same name, instructions and
tools) and deleted at the end unless ``--keep-assistant`` is given. Its tool ``count_words`` runs here, in this
process: the run asks for it, the agent executes it and submits the result.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from config_loader import EXIT_NO_CONFIG, load_config_list

DEFAULT_MESSAGE = "How many words are in the sentence 'the quick brown fox jumps over the lazy dog'?"
INSTRUCTIONS = "You answer questions about text. Use the count_words tool to count words; never count them yourself."


def count_words(text: str) -> int:
    """The number of whitespace-separated words in ``text``."""
    return len(text.split())


def build(config_list: list[dict[str, Any]], assistant_id: Optional[str] = None, check_every_ms: int = 1000) -> Any:
    """The assistant agent, with ``count_words`` as a function tool it runs locally."""
    from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent
    from autogen.function_utils import get_function_schema

    schema = get_function_schema(count_words, description="Count the words of a text.")
    assistant_config: dict[str, Any] = {"tools": [schema], "check_every_ms": check_every_ms}
    if assistant_id:
        assistant_config["assistant_id"] = assistant_id
    assistant = GPTAssistantAgent(
        name="word_counter",
        instructions=INSTRUCTIONS,
        llm_config={"config_list": config_list},
        assistant_config=assistant_config,
        overwrite_tools=True,
    )
    assistant.register_for_execution()(count_words)
    return assistant


def run(message: str, assistant: Any) -> Any:
    """One exchange between a user proxy and the assistant; returns the chat result."""
    import autogen

    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    result = user.initiate_chat(assistant, message=message, max_turns=1)
    assistant.pretty_print_thread(assistant.oai_threads[user])
    return result


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with an OpenAI assistant that uses a local tool.")
    parser.add_argument("--message", default=DEFAULT_MESSAGE, help="the question (default: %(default)s)")
    parser.add_argument("--assistant-id", help="reuse this assistant instead of creating one")
    parser.add_argument("--keep-assistant", action="store_true", help="do not delete the assistant at the end")
    parser.add_argument("--check-every-ms", type=int, default=1000, help="run polling interval (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except (OSError, ValueError) as exc:
        print(f"gpt_assistant: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    assistant = build(config_list, args.assistant_id, args.check_every_ms)
    try:
        result = run(args.message, assistant)
    finally:
        if args.keep_assistant:
            print(f"\nThe assistant is kept: --assistant-id {assistant.assistant_id}")
        else:
            assistant.delete_assistant()
    print("\n=== answer")
    print(result.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
