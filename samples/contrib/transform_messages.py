#!/usr/bin/env python
"""TransformMessages: an assistant sees only a bounded part of a long history (the history itself is kept).

    python samples/contrib/transform_messages.py --max-messages 4 --max-tokens-per-message 50

The model is the first config of OAI_CONFIG_LIST. The assistant's history is filled with a long made-up
conversation (tool calls included); the transforms keep the last messages, cut each one, and never separate a
tool call from its result.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from sample_config import load_config_list

PROGRAM = "transform_messages"


def made_up_history(turns: int) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = []
    for i in range(turns):
        call = {"id": f"call_{i}", "type": "function", "function": {"name": "lookup", "arguments": f'{{"item": {i}}}'}}
        history += [
            {"role": "user", "name": "user", "content": f"Tell me about item {i}. " + "Details please. " * 40},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {
                "role": "tool",
                "content": f"item {i}: " + "facts " * 200,
                "tool_responses": [
                    {"tool_call_id": f"call_{i}", "role": "tool", "content": f"item {i}: " + "facts " * 200}
                ],
            },
            {"role": "assistant", "name": "assistant", "content": f"Item {i} is described above."},
        ]
    return history


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-messages", type=int, default=4)
    parser.add_argument("--max-tokens-per-message", type=int, default=50)
    parser.add_argument("--max-tokens", type=int, default=500)
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.capabilities.transform_messages import TransformMessages
    from autogen.agentchat.contrib.capabilities.transforms import MessageHistoryLimiter, MessageTokenLimiter

    assistant = autogen.AssistantAgent(
        "assistant", llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None}
    )
    TransformMessages(
        transforms=[
            MessageHistoryLimiter(max_messages=args.max_messages),
            MessageTokenLimiter(max_tokens_per_message=args.max_tokens_per_message, max_tokens=args.max_tokens),
        ]
    ).add_to_agent(assistant)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    assistant.chat_messages[user].extend(made_up_history(30))
    user.send("Which items did we talk about last?", assistant, request_reply=True)
    print(user.last_message(assistant)["content"])
    print(f"({len(assistant.chat_messages[user])} messages are still in the stored history)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
