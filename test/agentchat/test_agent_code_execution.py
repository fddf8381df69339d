"""Code execution through agents: the README quickstart, executors, last_n_messages, Docker-by-default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import ScriptedIO

import autogen.code_utils as code_utils
from autogen import AssistantAgent, ConversableAgent, UserProxyAgent
from autogen.coding.local_commandline_code_executor import LocalCommandLineCodeExecutor
from autogen.exception_utils import ConfigError
from autogen.io.base import IOStream

CODE_REPLY = "Run this:\n```python\n# filename: answer.py\nprint(6 * 7)\n```"


def test_readme_quickstart(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    llm_server.script(CODE_REPLY, "TERMINATE")
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    user_proxy = UserProxyAgent("user_proxy", code_execution_config={"work_dir": "coding", "use_docker": False})
    io = ScriptedIO(["", ""])  # the human presses enter twice: auto-reply (run the code), then end
    with IOStream.set_default(io):
        result = user_proxy.initiate_chat(assistant, message="Plot a chart of NVDA and TESLA stock price change YTD.")

    assert result.chat_history[2]["content"] == "exitcode: 0 (execution succeeded)\nCode output: \n42\n"
    # the assistant saw the output
    assert llm_server.chat_requests()[1]["messages"][-1]["content"].endswith("42\n")
    assert (tmp_path / "coding" / "answer.py").read_text().strip().endswith("print(6 * 7)")
    assert ">>>>>>>> EXECUTING CODE BLOCK 0 (inferred language is python)..." in io.output
    # the assistant's defaults
    system = llm_server.chat_requests()[0]["messages"][0]
    assert system["role"] == "system" and "TERMINATE" in system["content"] and "```python" in system["content"]
    assert assistant.description == AssistantAgent.DEFAULT_DESCRIPTION
    assert user_proxy.description == UserProxyAgent.DEFAULT_USER_PROXY_AGENT_DESCRIPTIONS["ALWAYS"]
    assert user_proxy.use_docker is False


def test_executor_instance_and_failures(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=str(tmp_path / "work"))
    runner = ConversableAgent("runner", human_input_mode="NEVER", code_execution_config={"executor": executor})
    assert runner.code_executor is executor
    llm_server.script("```python\nimport sys\nprint('bad', file=sys.stderr)\nsys.exit(3)\n```", "TERMINATE")
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    with IOStream.set_default(ScriptedIO()):
        result = runner.initiate_chat(assistant, message="go")
    reply = result.chat_history[2]["content"]
    assert reply.startswith("exitcode: 3 (execution failed)\nCode output: ") and "bad" in reply


def test_last_n_messages(tmp_path: Path) -> None:
    agent = ConversableAgent(
        "runner", human_input_mode="NEVER", code_execution_config={"work_dir": str(tmp_path), "use_docker": False}
    )
    code = {"role": "user", "content": "```sh\necho from-shell\n```"}
    text = {"role": "user", "content": "no code here"}
    mine = {"role": "assistant", "content": "```python\nprint('mine')\n```"}
    with IOStream.set_default(ScriptedIO()):
        # "auto": the messages received since the agent last spoke
        assert agent.generate_code_execution_reply([code, text])[1].endswith("from-shell\n")
        assert agent.generate_code_execution_reply([code, mine, text]) == (False, None)
        assert agent.generate_code_execution_reply([code, text], config={"last_n_messages": 1}) == (False, None)
        final, reply = agent.generate_code_execution_reply([mine, text], config={"last_n_messages": 2})
        assert final and reply.endswith("mine\n")
    with pytest.raises(ConfigError, match="last_n_messages"):
        ConversableAgent("bad", code_execution_config={"last_n_messages": -1, "use_docker": False})
    off = ConversableAgent("off")
    assert off.generate_code_execution_reply([code]) == (False, None) and off.code_executor is None


def test_run_code_override_is_honoured(tmp_path: Path) -> None:
    class Sandbox(ConversableAgent):
        def run_code(self, code: str, **kwargs: Any) -> tuple[int, str, Any]:
            return 0, f"sandboxed {kwargs['lang']}: {code.strip()}", None

    agent = Sandbox(
        "sandbox", human_input_mode="NEVER", code_execution_config={"use_docker": False, "work_dir": str(tmp_path)}
    )
    with IOStream.set_default(ScriptedIO()):
        final, reply = agent.generate_code_execution_reply([{"role": "user", "content": "```python\nx = 1\n```"}])
    assert reply == "exitcode: 0 (execution succeeded)\nCode output: sandboxed python: x = 1"


def test_docker_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOGEN_USE_DOCKER", raising=False)
    monkeypatch.setattr(code_utils, "in_docker_container", lambda: False)
    monkeypatch.setattr(code_utils, "is_docker_running", lambda: False)
    with pytest.raises(RuntimeError, match="[Dd]ocker"):
        UserProxyAgent("user_proxy")  # default code_execution_config={} asks for Docker, which is not running
    assert UserProxyAgent("local", code_execution_config={"use_docker": False}).use_docker is False
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    assert UserProxyAgent("env").use_docker is False


@pytest.mark.docker
def test_code_runs_in_docker(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    try:
        import docker

        docker.from_env(timeout=10).ping()
    except Exception as exc:  # pragma: no cover - CI has a daemon
        pytest.skip(f"no Docker daemon answers ({exc}); run scripts/setup_docker.sh")
    llm_server.script("```python\nimport os\nprint(os.path.exists('/.dockerenv'))\n```", "TERMINATE")
    user_proxy = UserProxyAgent(
        "user_proxy",
        human_input_mode="NEVER",
        code_execution_config={"executor": "docker", "docker": {"work_dir": str(tmp_path), "image": "python:3-slim"}},
    )
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    try:
        with IOStream.set_default(ScriptedIO()):
            result = user_proxy.initiate_chat(assistant, message="where am I?", max_turns=2)
    finally:
        stop = getattr(user_proxy.code_executor, "stop", None)
        if stop is not None:
            stop()
    assert result.chat_history[2]["content"] == "exitcode: 0 (execution succeeded)\nCode output: True\n"
