"""Classic 0.2 behaviour of the contrib capabilities (VisionCapability, ImageGeneration's DALL-E settings) and of
CompressibleAgent, found by running the classic_diff scenarios `vision_capability`, `image_generation` (pyautogen
0.2.35) and `compressible` (the 0.2.31 module, the last release that had it) side by side with this tree.
The model is the local OpenAI-compatible server, reached through the real openai SDK."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from autogen import AssistantAgent, UserProxyAgent
from autogen.io.base import IOStream

pytest.importorskip("PIL")


class _Printed:
    """An IOStream keeping what is printed."""

    def __init__(self) -> None:
        self.lines: List[str] = []

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        self.lines.append(sep.join(map(str, objects)) + end)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        raise AssertionError("no input expected")


def _square(path: Path, colour: str) -> Path:
    from PIL import Image

    Image.new("RGB", (4, 4), colour).save(path)
    return path


def _caption_requests(llm_server: Any) -> List[Dict[str, Any]]:
    """The chat requests that carried an image (the captioning model's)."""
    return [
        body for body in llm_server.chat_requests() if any(isinstance(m.get("content"), list) for m in body["messages"])
    ]


def test_vision_capability_without_a_model_or_function_is_the_classic_assertion_error() -> None:
    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    for empty in (None, {}):
        with pytest.raises(
            AssertionError, match="^Vision Capability requires a valid lmm_config or custom_caption_func"
        ):
            VisionCapability(lmm_config=empty)  # type: ignore[arg-type]


def test_vision_capability_captions_a_redrawn_image_again(llm_server: Any, tmp_path: Path) -> None:
    """Classic asked the multimodal model each time an image came: a plot.png redrawn between turns gets a new
    caption, not the one of the old drawing."""
    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    plot = _square(tmp_path / "plot.png", "red")
    seer = AssistantAgent("seer", llm_config=llm_server.llm_config(), system_message="You answer.")
    VisionCapability(lmm_config=llm_server.llm_config()).add_to_agent(seer)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False)
    llm_server.script("A red square.", "Red.")
    user.initiate_chat(seer, message=f"Colour of <img {plot}>?", max_turns=1, silent=True)
    _square(plot, "green")
    llm_server.script("A green square.", "Green.")
    user.initiate_chat(seer, message=f"And now <img {plot}>?", max_turns=1, clear_history=False, silent=True)

    assert len(_caption_requests(llm_server)) == 2
    last = llm_server.chat_requests()[-1]["messages"][-1]["content"]
    assert last == f"And now <img {plot}> in case you can not see, the caption of this image is: A green square.\n?"


def test_vision_capability_calls_the_custom_caption_function_for_each_image(tmp_path: Path) -> None:
    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    red = _square(tmp_path / "red.png", "red")
    calls: List[str] = []

    def caption(url: str, image: Any, client: Any) -> str:
        calls.append(url)
        return f"caption {len(calls)}"

    vision = VisionCapability(lmm_config=None, custom_caption_func=caption)
    text = vision.process_last_received_message(f"<img {red}> and <img {red}>")
    assert calls == [str(red), str(red)]
    assert "caption 1" in text and "caption 2" in text


def test_vision_capability_prints_the_classic_warning_for_other_parts() -> None:
    from autogen.agentchat.contrib.capabilities.vision_capability import VisionCapability

    vision = VisionCapability(lmm_config=None, custom_caption_func=lambda url, image, client: "c")
    printed = _Printed()
    with IOStream.set_default(printed):
        text = vision.process_last_received_message([{"type": "audio"}, {"type": "text", "text": "t"}])
    assert text == "t"
    assert printed.lines == ["Warning: the input type should either be `test` or `image_url`. Skip audio here.\n"]


def test_dalle_generator_settings_errors_start_with_the_classic_sentence() -> None:
    from autogen.agentchat.contrib.capabilities.generate_images import DalleImageGenerator

    with pytest.raises(ValueError, match=r"^Invalid DALL-E model: gpt-4\. Must be 'dall-e-3' or 'dall-e-2'"):
        DalleImageGenerator({"config_list": [{"model": "gpt-4", "api_key": "x"}]})
    with pytest.raises(ValueError, match=r"^Invalid resolution format: big"):
        DalleImageGenerator({"config_list": [{"model": "dall-e-3", "api_key": "x"}]}, resolution="big")


# ------------------------------------------------------------------------------------------ CompressibleAgent


def _compressor(llm_server: Any, **compress: Any) -> Any:
    from autogen.agentchat.contrib.compressible_agent import CompressibleAgent

    return CompressibleAgent("comp", llm_config=llm_server.llm_config(), system_message="S.", compress_config=compress)


def test_compressing_mid_chat_keeps_every_turn_of_max_turns(llm_server: Any) -> None:
    """Compression rewrites both histories during a reply; the chat still runs its max_turns, as in classic."""
    llm_server.responder = lambda body: (
        "SUMMARY." if "compress" in (body["messages"][0].get("content") or "").lower() else "reply " + "x " * 40
    )
    comp = _compressor(llm_server, mode="COMPRESS", trigger_count=150, leave_last_n=1)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, default_auto_reply="go " * 40)
    result = user.initiate_chat(comp, message="Task.", max_turns=4, silent=True)

    answers = [b for b in llm_server.chat_requests() if "compress" not in b["messages"][0]["content"].lower()]
    assert len(answers) == 4  # one answer per turn
    assert result.chat_history[-1]["content"].startswith("reply x")
    assert [m["role"] for m in result.chat_history][:2] == ["assistant", "system"]  # the compressed history


def test_compress_config_checks_are_the_classic_ones(llm_server: Any) -> None:
    with pytest.raises(ValueError, match="^leave_last_n must be a non-negative integer"):
        _compressor(llm_server, mode="COMPRESS", leave_last_n=-1)
    with pytest.raises(
        ValueError, match="^Invalid compression mode. Allowed values are: COMPRESS, TERMINATE, CUSTOMIZED"
    ):
        _compressor(llm_server, mode="SHRINK")
    with pytest.raises(ValueError, match="^trigger_count must be a positive number"):
        _compressor(llm_server, mode="COMPRESS", trigger_count=0)
    with pytest.raises(ValueError, match="^compress_function must be provided when mode is CUSTOMIZED"):
        _compressor(llm_server, mode="CUSTOMIZED")


def test_compress_config_warnings_are_printed_as_classic(llm_server: Any) -> None:
    printed = _Printed()
    with IOStream.set_default(printed):
        low = _compressor(llm_server, mode="COMPRESS", trigger_count=3)
        _compressor(llm_server, mode="COMPRESS", compress_function=lambda messages: (False, None))
    assert low.compress_config is False
    assert printed.lines[0].startswith(
        "Warning: trigger_count 3 is less than the initial token count "
    ) and printed.lines[0].endswith(
        "(system message + function description if passed), compression will be disabled. "
        "Please increase trigger_count if you want to enable compression.\n"
    )
    assert printed.lines[1] == "Warning: compress_function is provided but mode is not 'CUSTOMIZED'.\n"


def test_compression_prints_the_classic_lines(llm_server: Any) -> None:
    from autogen.formatting_utils import colored

    llm_server.script("first", "SUMMARY.", "second")
    comp = _compressor(llm_server, mode="COMPRESS", trigger_count=40, leave_last_n=0, verbose=True)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, default_auto_reply="go " * 40)
    printed = _Printed()
    with IOStream.set_default(printed):
        user.initiate_chat(comp, message="Task.", max_turns=2, silent=True)
    text = "".join(printed.lines)
    assert "To be compressed:\n##comp(ASSISTANT)## first\n##user(USER)## go go" in text
    assert "SUMMARY. " + colored("\n" + "*" * 80, "magenta") + "\n" in text
    counts = [line for line in printed.lines if "Token Count" in line]
    assert len(counts) == 1 and re.fullmatch(
        r".*Token Count \(including \d+ tokens from system msg and function descriptions\)\. "
        r"Before compression : \d+ \| After: \d+.*\n",
        counts[0],
    )
