"""Classic 0.2 behaviour of SocietyOfMindAgent, MathUserProxyAgent and MultimodalConversableAgent that 0.2-era
code sees, found by running the s8som scenarios of scripts/classic_diff under pyautogen 0.2.35 and here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from autogen import AssistantAgent, ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent
from autogen.agentchat.contrib.math_user_proxy_agent import MathUserProxyAgent
from autogen.agentchat.contrib.society_of_mind_agent import SocietyOfMindAgent


def _user() -> UserProxyAgent:
    return UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)


def _team(manager_llm: Any, *replies: str) -> GroupChatManager:
    """Scripted teammates (no LLM) taking turns, one per reply (two at least); each speaks once."""
    agents = [
        ConversableAgent(f"mate{i}", llm_config=False, human_input_mode="NEVER", default_auto_reply=reply)
        for i, reply in enumerate(replies if len(replies) > 1 else [*replies, "unused"])
    ]
    chat = GroupChat(agents, messages=[], max_round=len(replies) + 1, speaker_selection_method="round_robin")
    return GroupChatManager(chat, llm_config=manager_llm)


# ------------------------------------------------------------------------------------------- SocietyOfMindAgent
def test_society_response_preparer_is_the_classic_callable(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    society = SocietyOfMindAgent("society", chat_manager=_team(False, "draft"), llm_config=llm_config)
    # classic: a prompt (the default one too) became a function (agent, messages) -> reply, called by user code
    assert callable(society.response_preparer)
    llm_server.script("Prepared from the transcript.")
    inner: List[Dict[str, Any]] = [{"role": "user", "name": "mate0", "content": "draft"}]
    assert society.response_preparer(society, inner) == "Prepared from the transcript."
    sent = llm_server.chat_requests()[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "system"] and sent[1]["content"] == "draft"

    custom = SocietyOfMindAgent("custom", chat_manager=_team(False, "x"), llm_config=llm_config, response_preparer="P")
    assert callable(custom.response_preparer)
    llm_server.script("inner done")
    assert _user().initiate_chat(custom, message="Go.", max_turns=1).summary == "inner done"
    assert llm_server.chat_requests()[-1]["messages"][-1] == {"role": "system", "content": "P"}


def test_society_without_llm_config_replies_with_the_last_inner_message(
    llm_server: Any, llm_config: Dict[str, Any]
) -> None:
    # classic: without an llm_config of its own the reply is the last inner message, TERMINATE removed; the
    # manager's LLM is not asked (it only picks speakers)
    society = SocietyOfMindAgent("society", chat_manager=_team(llm_config, "Six sevens are 42 TERMINATE"))
    result = _user().initiate_chat(society, message="Six times seven?", max_turns=1)
    assert result.summary == "Six sevens are 42"
    assert llm_server.chat_requests() == []
    # an inner chat whose last word is empty ends without an answer: the reply is empty, as in classic
    quiet = SocietyOfMindAgent("quiet", chat_manager=_team(False, "42 TERMINATE", ""))
    assert _user().initiate_chat(quiet, message="Six times seven?", max_turns=1).summary == ""


# ------------------------------------------------------------------------------------------- MathUserProxyAgent
def test_math_message_generator_raises_the_classic_exception_types(tmp_path: Path) -> None:
    proxy = MathUserProxyAgent(code_execution_config={"work_dir": str(tmp_path), "use_docker": False})
    with pytest.raises(KeyError, match="prompt_type must be one of"):  # classic: the PROMPTS lookup failed
        proxy.message_generator(proxy, None, {"problem": "1+1?", "prompt_type": "wolfram"})
    with pytest.raises(TypeError, match="MathChat needs the problem"):  # classic: None added to the prompt
        proxy.message_generator(proxy, None, {})


def test_math_feedback_replies_are_the_classic_texts(
    llm_server: Any, llm_config: Dict[str, Any], tmp_path: Path
) -> None:
    proxy = MathUserProxyAgent(
        code_execution_config={"work_dir": str(tmp_path), "use_docker": False}, max_invalid_q_per_step=1
    )
    solver = AssistantAgent("solver", llm_config=llm_config)
    llm_server.script(
        "```python\nprint(6)\n```",
        "```python\nprint(6)\n```",
        "```python\nprint(1/0)\n```",
        "```python\nprint(2/0)\n```",
        "```ruby\nputs 1\n```",
        "It is \\boxed{6}.",
    )
    result = proxy.initiate_chat(solver, message=proxy.message_generator, problem="3*2?")
    replies = [m["content"] for m in result.chat_history if m["name"] == proxy.name][1:]
    assert replies[0] == "6"
    assert replies[1] == "6\nYour query or result is same from the last, please try a new approach."
    assert replies[2].startswith("Error: Traceback") and "ZeroDivisionError" in replies[2]
    assert replies[3] == (
        "Please revisit the problem statement and your reasoning. If you think this step is correct, solve it "
        "yourself and continue the next step. Otherwise, correct this step."
    )
    assert replies[4].startswith("Error: Unknown language.") and "ruby" in replies[4]


# ------------------------------------------------------------------------------------------- multimodal
def test_multimodal_termination_is_exactly_terminate(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    viewer = MultimodalConversableAgent("viewer", llm_config=llm_config, human_input_mode="NEVER")
    user = _user()
    llm_server.script("Still here.")
    # classic: only the text "TERMINATE" itself ends the chat; padded with spaces it is answered
    assert user.initiate_chat(viewer, message=" TERMINATE ", max_turns=1).summary == "Still here."
    assert user.initiate_chat(viewer, message="TERMINATE", max_turns=1).summary == ""
    assert len(llm_server.chat_requests()) == 1


def test_multimodal_bad_messages_raise_the_classic_exceptions() -> None:
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    viewer = MultimodalConversableAgent("viewer", llm_config=False)
    with pytest.raises(AssertionError, match="^The message dict must have a `content` field"):
        viewer.update_system_message({"role": "system"})
    with pytest.raises(ValueError, match="^Unsupported message type: <class 'int'>"):
        viewer.update_system_message(3)  # type: ignore[arg-type]


def test_multimodal_parts_alternate_text_and_images_as_classic(
    llm_server: Any, llm_config: Dict[str, Any], tmp_path: Path
) -> None:
    from PIL import Image

    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    Image.new("RGB", (2, 2), "red").save(tmp_path / "red.png")
    viewer = MultimodalConversableAgent("viewer", llm_config=llm_config, human_input_mode="NEVER")
    llm_server.script("Red.")
    _user().initiate_chat(viewer, message=f"<img {tmp_path / 'red.png'}>", max_turns=1)
    # classic gpt4v_formatter: text first and last, "" where nothing is written (code indexes the parts)
    parts = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "text"]
    assert parts[0]["text"] == "" and parts[2]["text"] == ""
    assert viewer.chat_messages[next(iter(viewer.chat_messages))][0]["content"][0] == {"type": "text", "text": ""}


def test_multimodal_incompatible_content_prints_the_classic_line(capsys: Any) -> None:
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    viewer = MultimodalConversableAgent("viewer", llm_config=False)
    with pytest.raises(TypeError):
        viewer.update_system_message({"content": 5})
    with pytest.raises(ValueError, match="audio"):
        viewer.update_system_message({"content": [{"type": "audio"}]})
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["The `content` field should be compatible with the content_str function!"] * 2


def test_society_without_a_chat_manager_lets_its_other_replies_answer() -> None:
    # classic: chat_manager may be None (also through update_chat_manager); then the inner monologue is skipped
    society = SocietyOfMindAgent("society", chat_manager=None, default_auto_reply="No team yet.")
    assert society.chat_manager is None
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    assert user.initiate_chat(society, message="Hello?", max_turns=1).summary == "No team yet."
    society.update_chat_manager(_team(False, "Team reply TERMINATE"))
    assert user.initiate_chat(society, message="Now?", max_turns=1).summary == "Team reply"
    society.update_chat_manager(None)
    assert user.initiate_chat(society, message="Again?", max_turns=1).summary == "No team yet."
