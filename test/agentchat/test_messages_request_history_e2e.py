"""End to end through the openai SDK path to the local server: every request body of a long conversation is,
byte for byte, the fresh encoding of what the history holds at that moment, across edits of the history."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional

import pytest

import autogen
from autogen.agentchat import request_history
from autogen.agentchat.messages import request_entries
from autogen.oai.json_utils import dumps_compact

Message = Dict[str, Any]


@pytest.fixture(autouse=True)
def _forget() -> Any:
    request_history.clear()
    yield
    request_history.clear()


class Chat:
    """An assistant on the local server and a user that answers "go on"; one LLM request per turn."""

    def __init__(self, server: Any, llm_config: Dict[str, Any]) -> None:
        self.server = server
        self.assistant = autogen.ConversableAgent(
            "assistant", llm_config=llm_config, human_input_mode="NEVER", system_message="Be brief."
        )
        self.user = autogen.ConversableAgent(
            "user proxy", llm_config=False, human_input_mode="NEVER", code_execution_config=False
        )
        self.hook: Optional[Callable[[List[Message]], List[Message]]] = None

    def turn(self, message: Any, agent: Any = None, use_async: bool = False) -> None:
        """One request from ``agent`` (the assistant by default), checked against a fresh encoding."""
        agent = agent or self.assistant
        before = len(self.server.requests)
        history = agent.chat_messages[self.user]
        if use_async:
            asyncio.run(self.user.a_send(message, agent, request_reply=True, silent=True))
        else:
            self.user.send(message, agent, request_reply=True, silent=True)
        request = self.server.requests[before]
        sent = history[:-1]  # the reply came after the request
        if self.hook is not None:
            sent = self.hook(sent)
        expected = [*agent.system_messages, *request_entries(sent)]
        assert json.loads(request.raw)["messages"] == expected
        assert request.raw == dumps_compact(json.loads(request.raw))  # compact, members in order
        assert dumps_compact(expected) in request.raw  # the messages array, byte for byte


def test_a_long_conversation_edited_along_the_way(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    chat = Chat(llm_server, llm_config)
    for i in range(10):  # long enough to be kept (request_history.MIN_LENGTH)
        chat.turn(f"step {i} \u00e9\u2028 ok")
    history = chat.assistant.chat_messages[chat.user]
    assert history[0]["name"] == "user proxy"  # sent as "user_proxy"
    kept = request_history._conversations[id(history[0])]
    assert kept is not None and len(kept.seen) == len(history) - 1  # the request was built incrementally
    assert len(kept.json.refs) == len(kept.seen) + 1  # and its body encoded so, the system message first

    history[4]["content"] = "edited in place by user code"
    chat.turn("after an edit")
    history[1]["content"] = [{"type": "text", "text": "now parts"}]
    chat.turn("after a content made of parts")
    history[1]["content"][0]["text"] = "parts edited inside"
    chat.turn("after a nested edit")
    del history[2:4]
    chat.turn("after a removal")
    history.insert(3, {"role": "user", "content": "inserted", "name": "someone"})
    chat.turn("after an insert")
    history[5] = {"role": "assistant", "content": "replaced"}
    chat.turn("after a replacement")

    chat.assistant.update_system_message("Be very brief.")
    chat.turn("after a system message update")

    chat.hook = lambda messages: messages[-7:]
    chat.assistant.register_hook("process_all_messages_before_reply", chat.hook)
    for i in range(3):
        chat.turn(f"with a hook that keeps the last messages {i}")
    chat.hook = lambda messages: [{**m, "content": str(m.get("content")).upper()} for m in messages]
    chat.assistant.hook_lists["process_all_messages_before_reply"] = [chat.hook]
    for i in range(2):
        chat.turn(f"with a hook that rewrites every message {i}")
    chat.assistant.hook_lists["process_all_messages_before_reply"] = []
    chat.hook = None

    chat.turn("async", use_async=True)
    chat.turn("async again", use_async=True)

    chat.assistant.clear_history()
    chat.user.clear_history()
    for i in range(10):
        chat.turn(f"after clear_history {i}")


def test_the_same_history_with_another_llm_config(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    chat = Chat(llm_server, llm_config)
    for i in range(9):
        chat.turn(f"step {i}")
    other = autogen.ConversableAgent(
        "assistant", llm_config={**llm_config, "temperature": 0.25}, human_input_mode="NEVER", system_message="Other."
    )
    other._oai_messages[chat.user] = chat.assistant.chat_messages[chat.user]  # the very same message objects
    for i in range(3):
        chat.turn(f"to the other agent {i}", agent=other)
        chat.turn(f"back to the first {i}")
    assert json.loads(llm_server.requests[-2].raw)["temperature"] == 0.25
    assert "temperature" not in json.loads(llm_server.requests[-1].raw)


def test_tool_calls_and_results_in_the_history(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    chat = Chat(llm_server, llm_config)
    for i in range(9):
        chat.turn(f"step {i}")
    history = chat.assistant.chat_messages[chat.user]
    call: Message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}],
    }
    answer: Message = {
        "role": "tool",
        "content": "2",
        "tool_responses": [{"tool_call_id": "call_1", "role": "tool", "content": "2"}],
    }
    history += [call, answer]
    chat.turn("after a tool call")
    chat.turn("and one more")
    call["tool_calls"][0]["function"]["arguments"] = '{"a": 5}'
    answer["tool_responses"][0]["content"] = "6"
    chat.turn("after editing the call and its answer")


def test_a_conversation_replays_from_the_cache(llm_server: Any, llm_config: Dict[str, Any], tmp_path: Any) -> None:
    llm_server.responder = lambda body: f"I have read {len(body['messages'])} messages"

    def run(cache: Any) -> List[Any]:
        assistant = autogen.ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
        user = autogen.ConversableAgent(
            "user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on", code_execution_config=False
        )
        user.initiate_chat(assistant, message="hello", max_turns=12, cache=cache, silent=True)
        return [m["content"] for m in assistant.chat_messages[user]]

    with autogen.Cache.disk(cache_seed=5, cache_path_root=str(tmp_path / "cache")) as cache:
        first = run(cache)
        sent = len(llm_server.requests)
        assert sent == 12
        request_history.clear()
        assert run(cache) == first  # every turn's key found again
        assert len(llm_server.requests) == sent
    assert first[-1] == "I have read 24 messages"
