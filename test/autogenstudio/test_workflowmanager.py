"""The Python API: a workflow saved as JSON runs without the UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from autogenstudio import AutoGenWorkFlowManager, WorkFlowConfig


def _agent(name: str, llm_server: Any, **extra: Any) -> Dict[str, Any]:
    return {
        "name": name,
        "type": "assistant",
        "llm_config": {"config_list": [{"model": "gpt-4", "api_key": "test", "base_url": llm_server.base_url}]},
        **extra,
    }


def _user() -> Dict[str, Any]:
    return {"name": "user_proxy", "type": "userproxy", "code_execution": True, "max_consecutive_auto_reply": 5}


def test_two_agent_workflow_runs_code_and_uses_skills(llm_server: Any, tmp_path: Path) -> None:
    skill = {"name": "double", "description": "double a number", "content": "def double(x):\n    return 2 * x\n"}
    config = WorkFlowConfig.model_validate(
        {
            "name": "wf",
            "type": "twoagents",
            "sender": _user(),
            "receiver": _agent("assistant", llm_server, skills=[skill]),
        }
    )
    llm_server.script(
        "```python\nfrom skills import double\nopen('out.txt', 'w').write(str(double(21)))\nprint('ok')\n```",
        "The answer is in out.txt. TERMINATE",
    )
    events: List[Dict[str, Any]] = []
    with pytest.warns(UserWarning, match="LOCALLY"):
        manager = AutoGenWorkFlowManager(config, work_dir=tmp_path / "w", on_event=events.append)
    result = manager.run(message="Double 21 into a file")
    assert (tmp_path / "w" / "out.txt").read_text() == "42"
    assert result.files == ["out.txt"]
    assert result.final_answer == "The answer is in out.txt."
    assert result.executor == "local" and result.warnings
    assert result.cost > 0 and result.time_seconds > 0
    messages = [e for e in events if e["type"] == "message"]
    senders = [(e["sender"], e["recipient"]) for e in messages]
    assert senders[:3] == [("user_proxy", "assistant"), ("assistant", "user_proxy"), ("user_proxy", "assistant")]
    assert "exitcode: 0" in messages[2]["content"]
    assert any(e["type"] == "log" for e in events)  # the agents' printed output, through the session's IOStream
    # the assistant was told about the skill
    system = llm_server.chat_requests()[0]["messages"][0]["content"]
    assert "double" in system and "from skills import" in system


def test_group_chat_workflow(llm_server: Any, tmp_path: Path) -> None:
    config = WorkFlowConfig.model_validate(
        {
            "type": "groupchat",
            "sender": _user(),
            "groupchat": {
                "agents": [_agent("writer", llm_server), _agent("critic", llm_server)],
                "speaker_selection_method": "round_robin",
                "max_round": 4,
            },
        }
    )
    llm_server.script("a draft", "looks good TERMINATE")
    manager = AutoGenWorkFlowManager(config, work_dir=tmp_path / "g")
    result = manager.run(message="write a haiku")
    pairs = [(m["sender"], m["recipient"]) for m in result.messages]
    assert pairs == [
        ("user_proxy", "group_chat_manager"),
        ("writer", "group_chat_manager"),
        ("critic", "group_chat_manager"),
    ]
    assert result.final_answer


def test_bad_config_is_rejected() -> None:
    with pytest.raises(ValueError, match="receiver"):
        WorkFlowConfig.model_validate({"type": "twoagents", "sender": _user()})


def _code_workflow(llm_server: Any) -> WorkFlowConfig:
    return WorkFlowConfig.model_validate(
        {"type": "twoagents", "sender": _user(), "receiver": _agent("assistant", llm_server)}
    )


def test_docker_is_the_default_when_a_daemon_answers(
    llm_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autogen.code_utils as code_utils

    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)  # these machines have /.dockerenv
    if not code_utils.is_docker_running():
        pytest.skip("no Docker daemon answers (CI starts one with scripts/setup_docker.sh)")
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "1")
    llm_server.script(
        "```python\nimport os\nopen('where.txt', 'w').write(str(os.path.exists('/.dockerenv')))\n```", "TERMINATE"
    )
    manager = AutoGenWorkFlowManager(_code_workflow(llm_server), work_dir=tmp_path / "d")
    try:
        result = manager.run(message="where do you run?")
    finally:
        manager.close()
    assert result.executor == "docker" and not result.warnings
    assert (tmp_path / "d" / "where.txt").read_text() == "True"


def test_local_fallback_warns_when_docker_is_wanted_but_absent(
    llm_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autogen.code_utils as code_utils

    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "1")
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setattr(code_utils, "is_docker_running", lambda: False)
    events: List[Dict[str, Any]] = []
    with pytest.warns(UserWarning, match="LOCALLY"):
        manager = AutoGenWorkFlowManager(_code_workflow(llm_server), work_dir=tmp_path / "l", on_event=events.append)
    assert manager.executor_kind == "local"
    assert events[0]["type"] == "warning"
