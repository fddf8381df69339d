#!/usr/bin/env python
"""Chat with an assistant agent in the terminal, ChatGPT style: you type, the assistant answers, "exit" ends.

Run it, with the package installed, as ``python samples/simple_chat.py`` (``--stream`` prints answers as they
are generated; ``--message "..."`` gives the first message instead of asking for it).

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).

How it works: the human is a ``UserProxyAgent`` whose reply is whatever the person types. A reply function
registered on it reads the line through the agent's ``get_human_input``, which goes through the IOStream in force
(the terminal by default; tests and web front ends swap in their own). Answering ``None`` ends the chat.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from config_loader import EXIT_NO_CONFIG, load_config_list

EXIT_WORDS = ("exit", "quit")
PROMPT = "You: "
SYSTEM_MESSAGE = (
    "You are a friendly, knowledgeable assistant chatting with a person in a terminal. Answer clearly and "
    "concisely, in plain text (light Markdown is fine). Ask a short question back when the request is unclear."
)
# The chat goes on for as long as the person wants; this only bounds a runaway loop.
MAX_EXCHANGES = 10_000


def ask_human(human: Any) -> Optional[str]:
    """The next thing the person says; None when they type "exit" / "quit" or close the input (Ctrl-D)."""
    while True:
        try:
            text = human.get_human_input(PROMPT)
        except EOFError:
            return None
        text = (text or "").strip()
        if text.lower() in EXIT_WORDS:
            return None
        if text:  # an empty line asks again
            return text


def _show_answer(assistant_name: str, content: Any) -> None:
    from autogen.io import IOStream

    text = content if isinstance(content, str) else "" if content is None else str(content)
    IOStream.get_default().print(f"{assistant_name}: {text}", flush=True)


def _start_streamed_answer(assistant_name: str) -> None:
    from autogen.io import IOStream

    IOStream.get_default().print(f"{assistant_name}: ", end="", flush=True)


def build_agents(config_list: list[dict[str, Any]], *, stream: bool = False) -> tuple[Any, Any]:
    """The assistant and the human's proxy, wired for a terminal chat."""
    import autogen

    assistant = autogen.AssistantAgent(
        "assistant",
        system_message=SYSTEM_MESSAGE,
        # cache_seed=None: a chat should get a fresh answer, not one cached from an earlier run
        llm_config={"config_list": config_list, "cache_seed": None, "stream": stream},
        is_termination_msg=lambda message: False,  # only the person ends the chat
        max_consecutive_auto_reply=MAX_EXCHANGES,
    )
    human = autogen.UserProxyAgent(
        "user",
        human_input_mode="NEVER",  # the reply function below asks the person, in its own words
        code_execution_config=False,  # a chat: nothing the assistant writes is run
    )

    def human_reply(
        recipient: Any, messages: Optional[list[dict[str, Any]]] = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Optional[str]]:
        name = sender.name if sender is not None else assistant.name
        if not stream and messages:  # a streamed answer was already printed as it arrived
            _show_answer(name, messages[-1].get("content"))
        text = ask_human(recipient)
        if stream and text is not None:
            _start_streamed_answer(name)
        return True, text  # final either way; None ends the chat

    human.register_reply([autogen.Agent, None], human_reply, position=0)
    return assistant, human


def chat(
    config_list: list[dict[str, Any]], *, stream: bool = False, first_message: Optional[str] = None
) -> Optional[Any]:
    """Hold the chat until the person types "exit"; return its ChatResult (None if they left at once)."""
    from autogen.io import IOStream

    assistant, human = build_agents(config_list, stream=stream)
    IOStream.get_default().print(f"Chatting with the {assistant.name}. Type 'exit' to end the chat.\n", flush=True)
    first = first_message if first_message else ask_human(human)
    if first is None:
        return None
    if stream:
        _start_streamed_answer(assistant.name)
    # silent: the person sees their own words as they type them; the answers are shown by human_reply
    return human.initiate_chat(assistant, message=first, silent=True, summary_method="last_msg")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with an AutoGen assistant agent in the terminal.")
    parser.add_argument("--stream", action="store_true", help="print answers while they are being generated")
    parser.add_argument("--message", default=None, help="the first message (default: ask for it)")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except (OSError, ValueError) as exc:
        print(f"simple_chat: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    result = chat(config_list, stream=args.stream, first_message=args.message)
    answers = 0 if result is None else sum(1 for m in result.chat_history or [] if m.get("name") == "assistant")
    print(f"Bye! (answers: {answers})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
