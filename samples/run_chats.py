#!/usr/bin/env python
"""Many chats at once: one short chat per topic, run concurrently, here (asyncio) or on a Ray cluster.

    python samples/run_chats.py --topics "rain,coffee,trains"
    python samples/run_chats.py --topics-file topics.txt --max-concurrency 50 --retry 3
    python samples/run_chats.py --backend ray --address auto      # on a running Ray cluster (pip install "pyautogen[ray]")

Each chat is described by a ``ChatSpec``: a factory that builds its agents where it runs, its first message and its
``initiate_chat`` arguments. Failed chats are reported with their error and do not stop the others.

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Optional

from config_loader import EXIT_NO_CONFIG, load_config_list

EXIT_SOME_FAILED = 1


def build_chat(config_list: list[dict[str, Any]]) -> tuple[Any, Any]:
    """The agents of one chat (called where the chat runs: in this process, or in a Ray worker)."""
    import autogen

    poet = autogen.AssistantAgent(
        "poet",
        system_message="You write one haiku on the topic you are given, and nothing else.",
        llm_config={"config_list": config_list, "cache_seed": None},
    )
    user = autogen.UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    return user, poet


def run(
    topics: list[str],
    config_list: list[dict[str, Any]],
    backend: str = "local",
    max_concurrency: Optional[int] = None,
    retry: int = 1,
    address: Optional[str] = None,
) -> Any:
    from autogen.scale import ChatSpec, RetryPolicy, run_chats

    specs = [
        ChatSpec(
            build_chat,
            message=f"Topic: {topic}",
            factory_args={"config_list": config_list},
            chat_kwargs={"max_turns": 1, "summary_method": "last_msg"},
            chat_id=topic,
        )
        for topic in topics
    ]
    batch = run_chats(
        specs,
        backend=backend,  # type: ignore[arg-type]
        max_concurrency=max_concurrency,
        address=address,
        retry=RetryPolicy(max_attempts=retry, backoff=1.0),
    )
    for outcome in batch:
        if outcome.ok:
            print(f"--- {outcome.chat_id}\n{outcome.result.summary.strip()}")
        else:
            print(f"--- {outcome.chat_id}: FAILED after {outcome.attempts} attempt(s): {outcome.error}")
    print(
        f"\n{len(batch) - len(batch.failures)} of {len(batch)} chats done in {batch.duration:.1f} s; cost ${batch.total_cost:.4f}"
    )
    return batch


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topics", default="rain,coffee,trains", help="comma-separated topics")
    parser.add_argument("--topics-file", help="a file with one topic a line (instead of --topics)")
    parser.add_argument("--backend", choices=["local", "ray"], default="local")
    parser.add_argument("--max-concurrency", type=int)
    parser.add_argument("--retry", type=int, default=1, help="attempts per chat (default 1)")
    parser.add_argument("--address", help='Ray cluster address ("auto" for a running one)')
    args = parser.parse_args(argv)
    if args.topics_file:
        topics = [line.strip() for line in Path(args.topics_file).read_text().splitlines() if line.strip()]
    else:
        topics = [t.strip() for t in args.topics.split(",") if t.strip()]
    try:
        config_list = load_config_list()
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return EXIT_NO_CONFIG
    batch = run(topics, config_list, args.backend, args.max_concurrency, args.retry, args.address)
    return EXIT_SOME_FAILED if batch.failures else 0


if __name__ == "__main__":
    sys.exit(main())
