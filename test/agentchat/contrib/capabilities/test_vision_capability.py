"""VisionCapability: a text-only agent gets captions written by a multimodal model behind the local OpenAI-compatible
server (real openai SDK), for image tags and image parts."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO

pytest.importorskip("PIL")

from images_api import png_bytes  # noqa: E402

from autogen import ConversableAgent  # noqa: E402
from autogen.agentchat.contrib.capabilities.vision_capability import (  # noqa: E402
    DEFAULT_DESCRIPTION_PROMPT,
    VisionCapability,
)
from autogen.io.base import IOStream  # noqa: E402

PNG = png_bytes(8, 8, (0, 0, 255))


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "square.png"
    path.write_bytes(PNG)
    return path


def _image_parts(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    parts = []
    for message in body["messages"]:
        if isinstance(message.get("content"), list):
            parts.extend(p for p in message["content"] if p.get("type") == "image_url")
    return parts


def _vision_model(body: Dict[str, Any]) -> str:
    """The server's rule: a request with an image is the captioning model's; others get a text answer."""
    if _image_parts(body):
        return "A small solid blue square."
    return "The picture shows a blue square."


def test_text_agent_sees_images_through_captions(llm_server: Any, llm_config: Dict[str, Any], png_file: Path) -> None:
    llm_server.responder = _vision_model
    agent = ConversableAgent("text_only", system_message="You answer questions.", llm_config=llm_config)
    VisionCapability(lmm_config=llm_server.llm_config()).add_to_agent(agent)
    assert agent.system_message.endswith("You've been given the ability to interpret images.")
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER")
    result = user.initiate_chat(agent, message=f"What is in this picture? <img {png_file}>", max_turns=1)
    assert result.summary == "The picture shows a blue square."

    caption_request, answer_request = llm_server.chat_requests()
    (image,) = _image_parts(caption_request)
    assert base64.b64decode(image["image_url"]["url"].split(",", 1)[1]) == PNG  # the file, as a data URI
    assert caption_request["messages"][0]["content"][0]["text"] == DEFAULT_DESCRIPTION_PROMPT
    assert _image_parts(answer_request) == []  # the text-only model gets text
    sent = answer_request["messages"][-1]["content"]
    assert sent == (
        f"What is in this picture? <img {png_file}> in case you can not see, the caption of this image is: "
        "A small solid blue square.\n"
    )
    assert agent.chat_messages[user][0]["content"] == f"What is in this picture? <img {png_file}>"  # history kept


def test_image_parts_and_one_caption_per_image(llm_server: Any, llm_config: Dict[str, Any]) -> None:
    llm_server.responder = _vision_model
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    vision = VisionCapability(lmm_config=llm_server.llm_config(), description_prompt="Name the colour.")
    content = [
        {"type": "text", "text": "Compare "},
        {"type": "image_url", "image_url": {"url": uri}},
        {"type": "text", "text": "with "},
        {"type": "image_url", "image_url": {"url": uri}},
    ]
    text = vision.process_last_received_message(content)
    caption = f"<img {uri}> in case you can not see, the caption of this image is: A small solid blue square.\n"
    assert text == "Compare " + caption + "with " + caption
    (request,) = llm_server.chat_requests()  # the same image is captioned once
    assert request["messages"][0]["content"][0]["text"] == "Name the colour."


def test_custom_caption_function_gets_a_pil_image(png_file: Path) -> None:
    seen: List[Any] = []

    def caption(url: str, image: Any, client: Any) -> str:
        seen.append((url, image.size, image.getpixel((0, 0)), client))
        return "blue"

    vision = VisionCapability(lmm_config=None, custom_caption_func=caption)
    assert vision.process_last_received_message(f"Look: <img {png_file}>").endswith("caption of this image is: blue\n")
    assert seen == [(str(png_file), (8, 8), (0, 0, 255), None)]


def test_needs_a_model_or_a_caption_function() -> None:
    with pytest.raises(ValueError, match="requires a valid lmm_config or custom_caption_func"):
        VisionCapability(lmm_config=None)
    with pytest.raises(TypeError, match="custom_caption_func must be a function"):
        VisionCapability(lmm_config=None, custom_caption_func="nope")  # type: ignore[arg-type]
