#!/usr/bin/env python
"""Ask questions about your own documents: retrieval-augmented chat with RetrieveUserProxyAgent.

Run it, with ``pip install -e ".[retrievechat]"``, as::

    python samples/retrieve_chat.py --docs README.md docs/ --question "How do I run the tests?"

``--docs`` takes files, folders and http(s) URLs (txt, md, pdf, docx, html, json, csv, ...). They are split into
chunks and stored in a chromadb database (``--db-path``, default ``tmp/chromadb.db``); later runs reuse it and add
only new chunks. The question goes to the assistant with the closest chunks; when it answers "UPDATE CONTEXT",
the next chunks are sent. Embeddings are computed locally (all-MiniLM-L6-v2, shipped by a Python package:
nothing is downloaded).

The model configuration comes from ``OAI_CONFIG_LIST``, as in the other samples: an environment variable holding a
JSON list of model configs or the path of a JSON file with one, else a file named ``OAI_CONFIG_LIST`` in the current
directory or in the repository root (copy ``OAI_CONFIG_LIST_sample`` to start one).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, List, Optional

from config_loader import EXIT_NO_CONFIG, REPO_ROOT, load_config_list

DEFAULT_QUESTION = "What is AutoGen, and how do I install it?"


def ask(
    question: str,
    docs: List[str],
    config_list: List[dict],
    *,
    task: str = "qa",
    n_results: int = 5,
    db_path: str = "tmp/chromadb.db",
    collection: str = "retrieve-chat-sample",
) -> Any:
    """Answer ``question`` from ``docs``; returns the ChatResult (its ``summary`` is the answer)."""
    from autogen.agentchat.contrib.retrieve_assistant_agent import RetrieveAssistantAgent
    from autogen.agentchat.contrib.retrieve_user_proxy_agent import RetrieveUserProxyAgent

    assistant = RetrieveAssistantAgent(
        "assistant",
        system_message="You are a helpful assistant.",
        llm_config={"config_list": config_list, "cache_seed": None},
    )
    ragproxyagent = RetrieveUserProxyAgent(
        "ragproxyagent",
        human_input_mode="NEVER",  # unattended: the chat ends with the answer
        max_consecutive_auto_reply=5,  # at most five context updates
        code_execution_config=False,
        retrieve_config={
            "task": task,
            "docs_path": docs,
            "db_config": {"path": db_path},
            "collection_name": collection,
            "get_or_create": True,  # reuse the database of earlier runs, adding new documents
            "model": config_list[0].get("model", "gpt-4"),
            "max_tokens": 8000,  # size chunks and context for an 8k-token window, whatever the model
        },
    )
    return ragproxyagent.initiate_chat(
        assistant, message=ragproxyagent.message_generator, problem=question, n_results=n_results
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Answer a question from your documents with retrieval-augmented chat.")
    parser.add_argument("--docs", nargs="+", default=[str(REPO_ROOT / "README.md")], help="files, folders or URLs")
    parser.add_argument("--question", default=DEFAULT_QUESTION, help="what to ask (default: %(default)s)")
    parser.add_argument("--task", default="qa", choices=["qa", "code", "default"], help="the prompt to use")
    parser.add_argument("--n-results", type=int, default=5, help="chunks retrieved per search (default: 5)")
    parser.add_argument("--db-path", default="tmp/chromadb.db", help="the chromadb folder (default: %(default)s)")
    parser.add_argument("--collection", default="retrieve-chat-sample", help="the collection (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        config_list = load_config_list()
    except (OSError, ValueError) as exc:
        print(f"retrieve_chat: {exc}", file=sys.stderr)
        return EXIT_NO_CONFIG
    result = ask(
        args.question,
        args.docs,
        config_list,
        task=args.task,
        n_results=args.n_results,
        db_path=args.db_path,
        collection=args.collection,
    )
    print("\n=== answer")
    print(result.summary or "(no answer)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
