"""Text compression: the LLMLingua adapter (its loading code run against a PromptCompressor this test defines, since
the real model cannot be downloaded here) and TextMessageCompressor, also end to end in a chat with the local
LLM server."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO

from autogen import ConversableAgent
from autogen._optional import MissingExtraError
from autogen.agentchat.contrib.capabilities.text_compressors import DEFAULT_LLMLINGUA_KWARGS, LLMLingua, TextCompressor
from autogen.agentchat.contrib.capabilities.transform_messages import TransformMessages
from autogen.agentchat.contrib.capabilities.transforms import TextMessageCompressor
from autogen.cache import Cache
from autogen.io.base import IOStream


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


class DropFillers:
    """A compressor: drops filler words, counting words as tokens."""

    FILLERS = {"very", "really", "just", "basically"}

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []

    def compress_text(self, text: str, **compression_params: Any) -> Dict[str, Any]:
        self.calls.append({"text": text, **compression_params})
        words = text.split()
        kept = [w for w in words if w.lower() not in self.FILLERS]
        return {"compressed_prompt": " ".join(kept), "origin_tokens": len(words), "compressed_tokens": len(kept)}


class FakePromptCompressor:
    """Stands in for llmlingua.PromptCompressor (whose model is on the Hugging Face hub)."""

    made: List[Dict[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        FakePromptCompressor.made.append(kwargs)

    def compress_prompt(self, context: List[str], **params: Any) -> Dict[str, Any]:
        text = " ".join(context)
        return {"compressed_prompt": text[: params.get("keep", 5)], "origin_tokens": 10, "compressed_tokens": 2}

    def structured_compress_prompt(self, context: List[str], **params: Any) -> Dict[str, Any]:
        return {"compressed_prompt": "structured:" + context[0], "origin_tokens": 3, "compressed_tokens": 3}


@pytest.fixture
def fake_llmlingua(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType("llmlingua")
    module.PromptCompressor = FakePromptCompressor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llmlingua", module)
    FakePromptCompressor.made = []
    yield


def test_llmlingua_adapter_loads_and_calls_the_prompt_compressor(fake_llmlingua: None) -> None:
    lingua = LLMLingua()
    assert isinstance(lingua, TextCompressor)
    assert FakePromptCompressor.made == [DEFAULT_LLMLINGUA_KWARGS]
    assert lingua.compress_text("abcdefghij", keep=3) == {
        "compressed_prompt": "abc",
        "origin_tokens": 10,
        "compressed_tokens": 2,
    }
    structured = LLMLingua(prompt_compressor_kwargs={"model_name": "local/model"}, structured_compression=True)
    assert FakePromptCompressor.made[-1] == {"model_name": "local/model"}
    assert (
        structured.compress_text("<llmlingua>x</llmlingua>")["compressed_prompt"]
        == "structured:<llmlingua>x</llmlingua>"
    )
    with pytest.raises(TypeError, match="compresses text"):
        lingua.compress_text(["not", "text"])  # type: ignore[arg-type]


def test_llmlingua_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llmlingua", None)
    with pytest.raises(MissingExtraError, match=r"pyautogen\[long-context\]"):
        LLMLingua()
    with pytest.raises(ImportError):  # the default compressor of TextMessageCompressor
        TextMessageCompressor()


def test_default_compressor_is_llmlingua(fake_llmlingua: None) -> None:
    compressor = TextMessageCompressor(cache=None, compression_params={"keep": 4})
    (message,) = compressor.apply_transform([{"role": "user", "content": "compress me please"}])
    assert message["content"] == "comp"
    assert compressor.get_logs([], []) == ("8 tokens saved with text compression.", True)


def test_compresses_text_and_text_parts_without_touching_the_input() -> None:
    dropper = DropFillers()
    compressor = TextMessageCompressor(text_compressor=dropper, cache=None, compression_params={"rate": 0.5})
    messages = [
        {"role": "user", "content": "this is really very long"},
        {"role": "assistant", "content": None, "tool_calls": []},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "just look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            ],
        },
    ]
    out = compressor.apply_transform(messages)
    assert out[0]["content"] == "this is long"
    assert out[1] is messages[1]
    assert out[2]["content"][0] == {"type": "text", "text": "look"}
    assert out[2]["content"][1] == messages[2]["content"][1]
    assert messages[0]["content"] == "this is really very long"  # the history is not modified
    assert dropper.calls[0] == {"text": "this is really very long", "rate": 0.5}
    assert compressor.get_logs(messages, out) == ("3 tokens saved with text compression.", True)
    compressor.apply_transform([{"role": "user", "content": "nothing to drop"}])
    assert compressor.get_logs([], []) == ("No tokens saved with text compression.", False)


def test_min_tokens_and_filters() -> None:
    dropper = DropFillers()
    short = [{"role": "user", "content": "very short"}]
    assert TextMessageCompressor(text_compressor=dropper, min_tokens=1000, cache=None).apply_transform(short) == short
    assert dropper.calls == []
    with pytest.raises(ValueError, match="min_tokens"):
        TextMessageCompressor(text_compressor=dropper, min_tokens=0)

    messages = [{"role": "user", "content": "very user"}, {"role": "assistant", "content": "very assistant"}]
    only_user = TextMessageCompressor(
        text_compressor=dropper, cache=None, filter_dict={"role": ["user"]}, exclude_filter=False
    )
    assert [m["content"] for m in only_user.apply_transform(messages)] == ["user", "very assistant"]
    not_user = TextMessageCompressor(text_compressor=dropper, cache=None, filter_dict={"role": ["user"]})
    assert [m["content"] for m in not_user.apply_transform(messages)] == ["very user", "assistant"]


def test_bad_compressors_get_clear_errors() -> None:
    with pytest.raises(TypeError, match="compress_text"):
        TextMessageCompressor(text_compressor=object())  # type: ignore[arg-type]

    class Wrong:
        def compress_text(self, text: str, **params: Any) -> Dict[str, Any]:
            return {"text": text}

    with pytest.raises(ValueError, match="compressed_prompt"):
        TextMessageCompressor(text_compressor=Wrong(), cache=None).apply_transform([{"role": "user", "content": "x"}])


def test_cache_compresses_a_text_once(tmp_path: Path) -> None:
    dropper = DropFillers()
    with Cache.disk(cache_seed=7, cache_path_root=str(tmp_path / "cache")) as cache:
        first = TextMessageCompressor(text_compressor=dropper, cache=cache)
        again = TextMessageCompressor(text_compressor=dropper, cache=cache)
        assert first.apply_transform([{"role": "user", "content": "a very big deal"}])[0]["content"] == "a big deal"
        assert again.apply_transform([{"role": "user", "content": "a very big deal"}])[0]["content"] == "a big deal"
        assert again.get_logs([], []) == ("1 tokens saved with text compression.", True)
        other = TextMessageCompressor(text_compressor=dropper, cache=cache, compression_params={"rate": 0.1})
        other.apply_transform([{"role": "user", "content": "a very big deal"}])
    assert len(dropper.calls) == 2  # cached once per text and parameters


def test_default_cache_is_a_disk_cache_in_the_working_folder(_isolated_cwd: Path) -> None:
    dropper = DropFillers()
    TextMessageCompressor(text_compressor=dropper).apply_transform([{"role": "user", "content": "so very"}])
    TextMessageCompressor(text_compressor=dropper).apply_transform([{"role": "user", "content": "so very"}])
    assert len(dropper.calls) == 1
    assert (_isolated_cwd / ".cache").is_dir()


def test_chat_sends_compressed_history(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    assistant = ConversableAgent("assistant", llm_config=llm_config, human_input_mode="NEVER")
    TransformMessages(transforms=[TextMessageCompressor(text_compressor=DropFillers(), cache=None)]).add_to_agent(
        assistant
    )
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", default_auto_reply="ok")
    llm_server.script("Noted.")
    user.initiate_chat(assistant, message="This is really just a very basically simple request", max_turns=1)
    sent = llm_server.chat_requests()[0]["messages"][-1]["content"]
    assert sent == "This is a simple request"
    assert assistant.chat_messages[user][0]["content"] == "This is really just a very basically simple request"
