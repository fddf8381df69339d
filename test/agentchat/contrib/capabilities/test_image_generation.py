"""ImageGeneration and DalleImageGenerator through the local server's images endpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO

from autogen import AssistantAgent, Cache, UserProxyAgent
from autogen.agentchat.contrib.capabilities.generate_images import (
    DalleImageGenerator,
    ImageGeneration,
    ImageGenerator,
)
from autogen.agentchat.contrib.img_utils import get_pil_image
from autogen.io.base import IOStream


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def dalle_config(llm_server: Any) -> dict:
    return {"config_list": llm_server.config_list(model="dall-e-3", max_retries=0)}


def test_dalle_generator_by_url_and_by_b64(llm_server: Any) -> None:
    by_url = DalleImageGenerator(dalle_config(llm_server), resolution="64x32", quality="hd")
    image = by_url.generate_image("a red fox")
    assert image.size == (64, 32)
    (body,) = llm_server.images.generations
    assert body == {"model": "dall-e-3", "prompt": "a red fox", "size": "64x32", "quality": "hd", "n": 1}
    inline = DalleImageGenerator(dalle_config(llm_server), resolution="64x32", quality="hd", response_format="b64_json")
    same = inline.generate_image("a red fox")
    assert same.getpixel((0, 0)) == image.getpixel((5, 5))  # the server colours by prompt
    assert by_url.cache_key("a red fox") == "a red fox,dall-e-3,64x32,hd,1"
    assert isinstance(by_url, ImageGenerator)


def test_dalle_generator_validates_its_settings(llm_server: Any) -> None:
    with pytest.raises(ValueError, match="Invalid DALL-E model: gpt-4"):
        DalleImageGenerator({"config_list": [{"model": "gpt-4"}]})
    with pytest.raises(ValueError, match="Invalid resolution"):
        DalleImageGenerator(dalle_config(llm_server), resolution="big")
    llm_server.images.fail_with(400)
    generator = DalleImageGenerator(dalle_config(llm_server), resolution="16x16")
    with pytest.raises(Exception, match="400"):
        generator.generate_image("anything")


def make_painter(llm_config: dict, llm_server: Any, cache: Any = None) -> AssistantAgent:
    painter = AssistantAgent("painter", llm_config=llm_config, max_consecutive_auto_reply=1)
    generator = DalleImageGenerator(dalle_config(llm_server), resolution="32x32")
    ImageGeneration(generator, cache=cache, verbosity=1).add_to_agent(painter)
    return painter


def test_generated_image_then_served_from_the_cache(
    llm_server: Any, llm_config: dict, tmp_path: Path, _io: ScriptedIO
) -> None:
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    with Cache.disk(cache_seed=1, cache_path_root=str(tmp_path / "cache")) as cache:
        painter = make_painter(llm_config, llm_server, cache)
        assert "create images" in painter.system_message and "images" in painter.description
        llm_server.script("yes", "A lighthouse at night, oil painting.")
        first = user.initiate_chat(painter, message="Please draw a lighthouse at night.")
        llm_server.script("Yes.", "A lighthouse at night, oil painting.")
        second = user.initiate_chat(painter, message="Draw that lighthouse again, please.")
    assert len(llm_server.images.generations) == 1  # the second image came from the cache
    assert llm_server.images.generations[0]["prompt"] == "A lighthouse at night, oil painting."
    for result in (first, second):
        text, image = result.chat_history[-1]["content"]
        assert text == {
            "type": "text",
            "text": "I generated an image with the prompt: A lighthouse at night, oil painting.",
        }
        assert get_pil_image(image["image_url"]["url"]).size == (32, 32)
    # the analyzer saw the user's request with instructions; the painter's own LLM was never asked
    analyzer_requests = llm_server.chat_requests()
    assert len(analyzer_requests) == 4
    assert "Please draw a lighthouse at night." in analyzer_requests[0]["messages"][-1]["content"]
    assert "Image prompt: A lighthouse at night, oil painting." in _io.output
    assert "<image>" in _io.output


def test_no_image_requested_falls_through_to_the_llm(llm_server: Any, llm_config: dict) -> None:
    painter = make_painter(llm_config, llm_server)
    llm_server.script("no", "Lighthouses guide ships.")
    reply = painter.generate_reply([{"role": "user", "content": "What are lighthouses for?"}])
    assert reply == "Lighthouses guide ships."
    assert not llm_server.images.generations


def test_image_generation_in_an_async_chat(llm_server: Any, llm_config: dict) -> None:
    painter = make_painter(llm_config, llm_server)
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    llm_server.script("yes", "A cat.")
    result = asyncio.run(user.a_initiate_chat(painter, message="Draw a cat."))
    assert result.chat_history[-1]["content"][0]["text"].endswith("A cat.")
    assert len(llm_server.images.generations) == 1
