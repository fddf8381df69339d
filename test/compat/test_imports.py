"""The names 0.2-era code imports keep working (and stay cheap where ``import autogen`` loads them)."""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, List

import pytest

CLASSIC_NAMES = {
    "autogen": [
        "Agent",
        "ConversableAgent",
        "AssistantAgent",
        "UserProxyAgent",
        "GroupChat",
        "GroupChatManager",
        "register_function",
        "initiate_chats",
        "ChatResult",
        "gather_usage_summary",
        "OpenAIWrapper",
        "ModelClient",
        "Cache",
        "config_list_from_json",
        "config_list_from_models",
        "config_list_openai_aoai",
        "config_list_gpt4_gpt35",
        "config_list_from_dotenv",
        "filter_config",
        "get_config_list",
        "DEFAULT_MODEL",
        "FAST_MODEL",
        "AgentNameConflict",
        "NoEligibleSpeaker",
        "SenderRequired",
        "InvalidCarryOverType",
        "UndefinedNextAgent",
    ],
    "autogen._pydantic": ["type2schema", "model_dump", "model_dump_json", "JsonSchemaValue", "PYDANTIC_V1"],
    "autogen.oai.client": ["TOOL_ENABLED", "ERROR", "OPEN_API_BASE_URL_PREFIX", "OpenAIWrapper", "OpenAIClient"],
    "autogen.code_utils": [
        "timeout_handler",
        "SENTINEL",
        "content_str",
        "infer_lang",
        "extract_code",
        "execute_code",
        "decide_use_docker",
        "check_can_use_docker_or_throw",
        "is_docker_running",
        "in_docker_container",
        "create_virtual_env",
        "UNKNOWN",
        "TIMEOUT_MSG",
        "DEFAULT_TIMEOUT",
        "CODE_BLOCK_PATTERN",
        "WORKING_DIR",
        "PATH_SEPARATOR",
        "WIN32",
        "_cmd",
        "_sanitize_filename_for_docker_tag",
    ],
    "autogen.function_utils": [
        "Function",
        "Parameters",
        "ToolFunction",
        "get_function_schema",
        "load_basemodels_if_needed",
    ],
    "autogen.agentchat.utils": ["parse_tags_from_content", "gather_usage_summary", "consolidate_chat_info"],
    "autogen.agentchat.chat": ["Prerequisite", "ChatResult", "initiate_chats", "a_initiate_chats"],
    "autogen.formatting_utils": ["colored"],
    "autogen.types": ["UserMessageTextContentPart", "UserMessageImageContentPart", "MessageContentType"],
    "autogen.coding": [
        "LocalCommandlineCodeExecutor",
        "CommandlineCodeResult",
        "LocalCommandLineCodeExecutor",
        "CommandLineCodeResult",
        "DockerCommandLineCodeExecutor",
        "CodeExecutorFactory",
        "MarkdownCodeExtractor",
    ],
    "autogen.coding.local_commandline_code_executor": ["LocalCommandlineCodeExecutor", "CommandlineCodeResult"],
    "autogen.coding.utils": ["filename_patterns", "_get_file_name_from_content", "silence_pip"],
    "autogen.retrieve_utils": [
        "HASH_LENGTH",
        "UNSTRUCTURED_FORMATS",
        "TEXT_FORMATS",
        "VALID_CHUNK_MODES",
        "RAG_MINIMUM_MESSAGE_LENGTH",
        "split_text_to_chunks",
        "split_files_to_chunks",
        "get_files_from_dir",
        "is_url",
        "create_vector_db_from_dir",
        "query_vector_db",
    ],
    "autogen.oai.openai_utils": [
        "create_gpt_assistant",
        "update_gpt_assistant",
        "retrieve_assistants_by_name",
        "create_gpt_vector_store",
        "NON_CACHE_KEY",
        "get_key",
    ],
    "autogen.cache.disk_cache": ["diskcache", "DiskCache"],
    "autogen.cache.redis_cache": ["redis", "RedisCache"],
    "autogen.cache.cache_factory": ["CacheFactory"],
    "autogen.io": ["IOStream", "IOConsole", "InputStream", "OutputStream"],
    "autogen.token_count_utils": [
        "count_token",
        "num_tokens_from_functions",
        "get_max_token_limit",
        "percentile_used",
        "token_left",
        "_num_token_from_text",
        "_num_token_from_messages",
    ],
    "autogen.agentchat.contrib.capabilities.transforms_util": [
        "cache_key",
        "cache_content_get",
        "cache_content_set",
        "min_tokens_reached",
        "count_text_tokens",
        "is_content_right_type",
        "is_content_text_empty",
        "should_transform_message",
    ],
}


def _classic_name_pairs() -> List[Any]:
    return [(module, name) for module, names in CLASSIC_NAMES.items() for name in names]


@pytest.mark.parametrize(("module", "name"), _classic_name_pairs())
def test_classic_name_is_importable(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(module), name), f"{module}.{name} is missing"


def test_values_of_classic_constants() -> None:
    from autogen.code_utils import _cmd, _sanitize_filename_for_docker_tag
    from autogen.oai.client import ERROR, OPEN_API_BASE_URL_PREFIX, TOOL_ENABLED, OpenAIWrapper
    from autogen.retrieve_utils import VALID_CHUNK_MODES

    assert TOOL_ENABLED is True and ERROR is None and OPEN_API_BASE_URL_PREFIX == "https://api.openai.com"
    assert {"api_key", "base_url", "timeout"} <= set(OpenAIWrapper.aopenai_kwargs)
    assert VALID_CHUNK_MODES == frozenset({"one_line", "multi_lines"})
    assert (_cmd("python"), _cmd("shell"), _cmd("bash"), _cmd("javascript")) == ("python", "sh", "bash", "node")
    with pytest.raises(NotImplementedError):
        _cmd("cobol")
    assert _sanitize_filename_for_docker_tag("123.py") == "123.py"
    assert _sanitize_filename_for_docker_tag("my file!@#") == "my_file___"
    assert _sanitize_filename_for_docker_tag(".hidden") == "_hidden"
    assert len(_sanitize_filename_for_docker_tag("a" * 300)) == 128


def test_execute_code_accepts_the_sentinel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.code_utils import SENTINEL, execute_code

    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    assert execute_code("print(2 + 2)", work_dir=str(tmp_path), use_docker=SENTINEL)[:2] == (0, "4\n")


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="SIGALRM is POSIX only")
def test_timeout_handler_turns_an_alarm_into_timeout_error() -> None:
    from autogen.code_utils import timeout_handler

    previous = signal.signal(signal.SIGALRM, timeout_handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(TimeoutError, match="Timed out!"):
            signal.pause()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_pydantic_helpers_and_tool_models() -> None:
    from autogen._pydantic import model_dump, model_dump_json, type2schema
    from autogen.function_utils import Function, Parameters, ToolFunction, get_function_schema

    def add(a: Annotated[int, "first"], b: int = 1) -> int:
        return a + b

    schema = get_function_schema(add, description="Add numbers.")
    tool = ToolFunction(**schema)
    assert isinstance(tool.function, Function) and isinstance(tool.function.parameters, Parameters)
    assert model_dump(tool) == schema
    assert '"name":"add"' in model_dump_json(tool)
    assert type2schema(int) == {"type": "integer"}


def test_parse_tags_from_content() -> None:
    from autogen.agentchat.utils import parse_tags_from_content

    found = parse_tags_from_content("img", "see <img http://example.com/a.png> and <img src='b c.png' detail=low>")
    assert [f["attr"] for f in found] == [{"src": "http://example.com/a.png"}, {"src": "b c.png", "detail": "low"}]
    assert found[0]["tag"] == "img" and found[0]["match"].group(0) == "<img http://example.com/a.png>"
    audio = parse_tags_from_content("audio", [{"type": "text", "text": '<audio text="Hello I\'m a robot" voice=en>'}])
    assert audio[0]["attr"] == {"text": "Hello I'm a robot", "voice": "en"}
    assert parse_tags_from_content("img", [{"type": "image_url", "image_url": {"url": "x"}}]) == []
    with pytest.raises(ValueError, match="content must be str or list"):
        parse_tags_from_content("img", 3)  # type: ignore[arg-type]


def test_aliases_are_the_same_classes() -> None:
    from autogen.coding import (
        CommandLineCodeResult,
        CommandlineCodeResult,
        DockerCommandLineCodeExecutor,
        LocalCommandLineCodeExecutor,
        LocalCommandlineCodeExecutor,
    )
    from autogen.coding.utils import filename_patterns

    assert LocalCommandlineCodeExecutor is LocalCommandLineCodeExecutor
    assert CommandlineCodeResult is CommandLineCodeResult
    assert DockerCommandLineCodeExecutor.LANGUAGE_ALIASES == {"py": "python", "js": "javascript"}
    assert any(p.match("# filename: main.py") for p in filename_patterns)


def test_private_helpers_classic_subclasses_use() -> None:
    from autogen import ConversableAgent, GroupChat

    agent = ConversableAgent("a", llm_config=False)
    assert ConversableAgent._format_json_str('{\n"text": "line one\nline two\tend"\n}') == (
        '{"text": "line one\\nline two\\tend"}'
    )
    assert agent._silent is None and ConversableAgent("b", llm_config=False, silent=True)._silent is True
    # a group chat of plain agents reads _silent of each agent
    assert GroupChat([agent, ConversableAgent("c", llm_config=False)], messages=[]).agents[0]._silent is None


def test_group_chat_auto_select_speaker_sync_and_async(llm_server: Any, llm_config: dict) -> None:
    import asyncio

    from autogen import ConversableAgent, GroupChat, GroupChatManager

    alice, bob = ConversableAgent("alice", llm_config=False), ConversableAgent("bob", llm_config=False)
    chat = GroupChat([alice, bob], messages=[{"role": "user", "content": "hi", "name": "alice"}])
    manager = GroupChatManager(chat, llm_config=llm_config)
    llm_server.script("bob", "alice")
    assert chat._auto_select_speaker(alice, manager, None, None) is bob
    assert asyncio.run(chat.a_auto_select_speaker(bob, manager, None, [alice, bob])) is alice


def test_new_modules_do_not_slow_import_autogen() -> None:
    code = (
        "import sys, autogen, autogen.formatting_utils, autogen.types, autogen.oai.client, "
        "autogen.agentchat.utils, autogen.retrieve_utils\n"
        "heavy = [m for m in ('openai', 'pydantic', 'diskcache', 'redis') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_transforms_util_classic_helpers() -> None:
    from autogen.agentchat.contrib.capabilities.transforms_util import (
        cache_content_get,
        cache_content_set,
        cache_key,
        count_text_tokens,
        is_content_right_type,
        is_content_text_empty,
        min_tokens_reached,
        should_transform_message,
    )
    from autogen.cache import Cache

    with Cache.in_memory(cache_seed=11) as cache:
        key = cache_key("some text", 20, "gpt-4")
        assert cache_content_get(cache, key) is None
        cache_content_set(cache, key, "some", 1)
        assert cache_content_get(cache, key) == ("some", 1)
    assert cache_content_get(None, key) is None
    assert count_text_tokens("hello world") == count_text_tokens([{"type": "text", "text": "hello world"}]) > 0
    assert count_text_tokens([{"type": "image_url", "image_url": {"url": "x"}}]) == 0
    assert is_content_right_type("x") and is_content_right_type([]) and not is_content_right_type(None)
    assert is_content_text_empty("") and is_content_text_empty([{"type": "image_url"}]) and is_content_text_empty(None)
    assert not is_content_text_empty([{"type": "text", "text": "hi"}])
    assert min_tokens_reached([{"role": "user", "content": "hello " * 50}], 10)
    assert not min_tokens_reached([{"role": "user", "content": "hi"}], 1000)
    assert should_transform_message({"role": "tool"}, {"role": ["tool"]}, exclude=False)
    assert not should_transform_message({"role": "tool"}, {"role": ["tool"]}, exclude=True)


def test_classic_private_token_counters() -> None:
    from autogen.token_count_utils import _num_token_from_messages, _num_token_from_text, count_token

    assert _num_token_from_text("hello world") == count_token("hello world") > 0
    messages = [{"role": "user", "content": "hello"}]
    assert _num_token_from_messages(messages) == count_token(messages) > _num_token_from_text("hello")
