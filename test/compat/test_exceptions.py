"""Classic AutoGen 0.2 exception types and key phrases: ``except ValueError:`` and ``match=`` keep working.

Each error keeps its classic built-in type (our own classes subclass it) and contains the classic phrase;
our clearer wording follows it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

import autogen
from autogen import ConversableAgent, GroupChat
from autogen.coding import CodeBlock, CodeExecutorFactory, DockerCommandLineCodeExecutor, LocalCommandLineCodeExecutor
from autogen.coding.utils import _get_file_name_from_content
from autogen.graph_utils import check_graph_validity


def agent(name: str, **kwargs: Any) -> ConversableAgent:
    return ConversableAgent(name, llm_config=False, human_input_mode="NEVER", **kwargs)


def test_register_for_llm_without_llm_config_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="To update a tool signature, agent must have an llm_config"):

        @agent("a").register_for_llm(description="adds")
        def add(a: int, b: int) -> int:
            return a + b


def test_update_tool_signature_without_llm_config_is_also_an_assertion_error() -> None:
    # classic update_tool_signature / update_function_signature raised AssertionError
    with pytest.raises(AssertionError, match="To update a tool signature, agent must have an llm_config"):
        agent("a").update_tool_signature({"type": "function", "function": {"name": "f"}}, is_remove=False)
    with pytest.raises(AssertionError, match="To update a function signature, agent must have an llm_config"):
        agent("a").update_function_signature({"name": "f"}, is_remove=False)


def test_register_for_llm_without_description(llm_config: dict) -> None:
    caller = ConversableAgent("caller", llm_config=llm_config)

    def undocumented(x: int) -> int:
        return x

    with pytest.raises(ValueError, match="Function description is required, none found."):
        caller.register_for_llm()(undocumented)


def test_generate_reply_without_messages_and_sender_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match="Either messages=None or sender=None must be provided."):
        agent("a").generate_reply(messages=None, sender=None)


def test_bad_group_chat_settings_are_value_errors() -> None:
    a, b, c = agent("a"), agent("b"), agent("c")
    with pytest.raises(ValueError, match="GroupChat speaker_selection_method is set to 'loudest'"):
        GroupChat([a, b], [], speaker_selection_method="loudest")
    with pytest.raises(ValueError, match="GroupChat allow_repeat_speaker should be a bool or a list of Agents"):
        GroupChat([a, b], [], allow_repeat_speaker="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allowed_speaker_transitions_dict has values not in agents"):
        GroupChat([a, b], [], allowed_or_disallowed_speaker_transitions={a: [c]}, speaker_transitions_type="allowed")
    with pytest.raises(ValueError, match="allowed_speaker_transitions_dict has keys not in agents"):
        GroupChat([a, b], [], allowed_or_disallowed_speaker_transitions={c: [a]}, speaker_transitions_type="allowed")


def test_graph_validity_warnings_keep_their_classic_words(caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = agent("a"), agent("b"), agent("c")
    with caplog.at_level(logging.WARNING):
        check_graph_validity({a: [b, b], b: [a]}, [a, b, c])
    assert "isolated agent nodes" in caplog.text and "Isolated agents: ['c']" in caplog.text
    assert "has duplicate elements: ['b']" in caplog.text


@pytest.mark.parametrize("timeout", [0, -5])
def test_executor_timeout_below_one_is_a_value_error(tmp_path: Path, timeout: int) -> None:
    with pytest.raises(ValueError, match="Timeout must be greater than or equal to 1."):
        LocalCommandLineCodeExecutor(timeout=timeout, work_dir=tmp_path)
    with pytest.raises(ValueError, match="Timeout must be greater than or equal to 1."):
        DockerCommandLineCodeExecutor(timeout=timeout, work_dir=tmp_path)  # checked before Docker is reached


def test_executor_bad_work_dir_is_a_value_error(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a directory")
    with pytest.raises(ValueError, match="work_dir"):
        LocalCommandLineCodeExecutor(work_dir=a_file)
    with pytest.raises(ValueError, match="work_dir"):
        LocalCommandLineCodeExecutor(work_dir=123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("rm -rf /", "Use of 'rm -rf' command is not allowed."),
        ("mv myFile /dev/null", "Moving files to /dev/null is not allowed."),
        ("dd if=/dev/zero of=/dev/sda", "Use of 'dd' command is not allowed."),
        ("echo Hello > /dev/sda", "Overwriting disk blocks directly is not allowed."),
        (":(){ :|:& };:", "Fork bombs are not allowed."),
    ],
)
def test_dangerous_shell_commands(tmp_path: Path, code: str, message: str) -> None:
    with pytest.raises(ValueError, match="Potentially dangerous command detected") as info:
        LocalCommandLineCodeExecutor.sanitize_command("bash", code)
    assert message in str(info.value)
    # run through the executor, the block is refused (not run) and the reason is the output
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks([CodeBlock(code=code, language="sh")])
    assert result.exit_code == 1 and message in result.output


def test_filename_outside_the_workspace(tmp_path: Path) -> None:
    work = tmp_path / "work"
    executor = LocalCommandLineCodeExecutor(work_dir=work)
    result = executor.execute_code_blocks([CodeBlock(code="# filename: ../escape.py\nprint(1)", language="python")])
    assert result.exit_code == 1 and "Filename is not in the workspace" in result.output
    assert not (tmp_path / "escape.py").exists()
    with pytest.raises(ValueError, match="Filename is not in the workspace"):
        _get_file_name_from_content("# filename: /etc/passwd\nx", work)


def test_unknown_executor_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown code executor fortran"):
        CodeExecutorFactory.create({"executor": "fortran"})  # type: ignore[typeddict-item]


def test_missing_dotenv_file_is_logged_with_the_classic_phrase(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    missing = tmp_path / "nowhere" / ".env"
    with caplog.at_level(logging.WARNING):
        assert autogen.config_list_from_dotenv(dotenv_file_path=str(missing)) == []
    assert f"The specified .env file {missing} does not exist." in caplog.text


def test_get_config_list_with_fewer_base_urls_than_keys() -> None:
    with pytest.raises(AssertionError, match="The length of api_keys must match the length of base_urls"):
        autogen.get_config_list(["k1", "k2"], base_urls=["http://one"])
    with pytest.raises(ValueError):  # also a ValueError, for code that caught ours
        autogen.get_config_list(["k1", "k2"], base_urls=["http://one"])


def test_invalid_cache_config_key() -> None:
    with pytest.raises(ValueError, match="Invalid config key"):
        autogen.Cache({"cache_seed": 1, "colour": "blue"})


def test_hook_errors_are_assertion_errors() -> None:
    a = agent("a")
    with pytest.raises(AssertionError, match="nope is not a hookable method."):
        a.register_hook("nope", lambda m: m)

    def hook(message: Any) -> Any:
        return message

    a.register_hook("process_last_received_message", hook)
    with pytest.raises(AssertionError, match="is already registered as a hook."):
        a.register_hook("process_last_received_message", hook)


def test_bad_trigger_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="trigger must be a class, a string, an agent, a callable or a list."):
        agent("a").register_reply(3, lambda *args, **kwargs: (False, None))


def test_chat_queue_checks_are_assertion_errors() -> None:
    a, b = agent("a"), agent("b")
    with pytest.raises(AssertionError, match="recipient must be provided."):
        autogen.initiate_chats([{"sender": a, "message": "hi"}])
    with pytest.raises(AssertionError, match="sender must be provided."):
        autogen.initiate_chats([{"recipient": b, "message": "hi"}])
    with pytest.raises(AssertionError, match="summary_method must be a string chosen from"):
        a.initiate_chat(b, message="hi", summary_method="longest")
    with pytest.raises(AssertionError, match="llm client must be set in either the recipient or sender"):
        autogen.initiate_chats(
            [{"sender": a, "recipient": b, "message": "hi", "summary_method": "reflection_with_llm"}]
        )


def test_unregistered_model_client_is_a_runtime_error() -> None:
    wrapper = autogen.OpenAIWrapper(config_list=[{"model": "m", "model_client_cls": "NotRegistered"}])
    with pytest.raises(RuntimeError, match=r"Model client\(s\) \['NotRegistered'\] are not activated."):
        wrapper.create(messages=[{"role": "user", "content": "hi"}])


def test_invalid_message_and_content() -> None:
    from autogen.code_utils import content_str

    classic = "Message can't be converted into a valid ChatCompletion message. Either content or function_call must be provided."
    with pytest.raises(ValueError) as sent:
        agent("a").send({"foo": 1}, agent("b"))
    assert str(sent.value).startswith(classic)
    with pytest.raises(ValueError) as received:
        agent("b").receive({"content": "x", "tool_calls": 5}, agent("a"), request_reply=False, silent=True)
    assert str(received.value).startswith("Received message can't be converted into a valid ChatCompletion message.")
    with pytest.raises(TypeError, match="content must be None, str, or list"):
        content_str(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Wrong content format: unknown type audio within the content"):
        content_str([{"type": "audio"}])
    with pytest.raises(ValueError, match="specify a non-empty 'model' either in 'llm_config'"):
        ConversableAgent("x", llm_config={})
