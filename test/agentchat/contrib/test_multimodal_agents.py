"""MultimodalConversableAgent and LLaVAAgent through the local server: images reach it as image parts."""

from __future__ import annotations

import asyncio
import base64
import sys
import types
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import ScriptedIO
from images_api import png_bytes

from autogen import UserProxyAgent
from autogen.agentchat.contrib.img_utils import get_pil_image
from autogen.agentchat.contrib.llava_agent import LLaVAAgent, LLaVAError, llava_call, llava_mode
from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent
from autogen.io.base import IOStream

PNG = png_bytes(8, 8, (0, 0, 255))
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "blue square.png"
    path.write_bytes(PNG)
    return path


def user(**kwargs: Any) -> UserProxyAgent:
    return UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, **kwargs)


def image_urls(content: Any) -> list:
    return [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]


def test_img_tag_reaches_the_server_as_an_image_part(
    llm_server: Any, llm_config: dict, png_file: Path, _io: ScriptedIO
) -> None:
    llm_server.script("A blue square.")
    agent = MultimodalConversableAgent("viewer", llm_config=llm_config, max_consecutive_auto_reply=1)
    result = user(max_consecutive_auto_reply=0).initiate_chat(
        agent, message=f'What is in this picture? <img "{png_file}">'
    )
    assert result.summary == "A blue square."
    (body,) = llm_server.chat_requests()
    system, question = body["messages"]
    assert system["role"] == "system" and system["content"][0]["type"] == "text"
    assert question["content"][0] == {"type": "text", "text": "What is in this picture? "}
    assert image_urls(question["content"]) == [PNG_URI]
    # the viewer keeps parts, the user the text it wrote; the viewer prints what it received as classic does:
    # each image as <image> (never the base64 of a data URI)
    peer = next(iter(agent.chat_messages))
    assert image_urls(agent.chat_messages[peer][0]["content"]) == [PNG_URI]
    assert peer.chat_messages[agent][0]["content"].endswith(f'<img "{png_file}">')
    assert "What is in this picture? <image>" in _io.output and "base64" not in _io.output
    assert str(png_file) not in _io.output
    # a message with parts is shown with <image> in place of each image
    agent.receive(
        {"content": [{"type": "text", "text": "look: "}, {"type": "image_url", "image_url": {"url": PNG_URI}}]},
        peer,
        request_reply=False,
    )
    assert "look: <image>" in _io.output


def test_data_uris_parts_and_system_images(llm_server: Any, llm_config: dict, png_file: Path) -> None:
    agent = MultimodalConversableAgent(
        "viewer", system_message=f"Compare with this reference: <img {png_file}>", llm_config=llm_config
    )
    assert image_urls(agent.system_message) == [PNG_URI]
    parts = [{"type": "text", "text": "and this one?"}, {"type": "image_url", "image_url": {"url": PNG_URI}}]
    llm_server.script("Same colour.", "Still blue.")
    reply = agent.generate_reply([{"role": "user", "content": parts}])
    assert reply == "Same colour."
    body = llm_server.chat_requests()[-1]
    assert image_urls(body["messages"][0]["content"]) == [PNG_URI]
    assert body["messages"][1]["content"] == parts
    # a PIL image in a part is sent as a PNG data URI
    pil = get_pil_image(str(png_file))
    reply = agent.generate_reply([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": pil}}]}])
    assert reply == "Still blue."
    sent = image_urls(llm_server.chat_requests()[-1]["messages"][1]["content"])[0]
    assert sent.startswith("data:image/png;base64,") and get_pil_image(sent).getpixel((0, 0)) == (0, 0, 255)


def test_async_chat_and_termination(llm_server: Any, llm_config: dict, png_file: Path) -> None:
    llm_server.script("It is blue.", "TERMINATE")
    agent = MultimodalConversableAgent("viewer", llm_config=llm_config)
    proxy = user(max_consecutive_auto_reply=1, default_auto_reply="Anything else?")
    result = asyncio.run(proxy.a_initiate_chat(agent, message=f"Colour? <img {png_file}>"))
    assert [m["content"] for m in result.chat_history][-2:] == ["Anything else?", "TERMINATE"]
    assert agent._is_termination_msg({"content": [{"type": "text", "text": "TERMINATE"}]})
    assert len(llm_server.chat_requests()) == 2


# ----------------------------------------------------------------------------------------- LLaVA --
def worker_config(llm_server: Any, **extra: Any) -> dict:
    return {"config_list": [{"model": "llava-v1.5-13b", "base_url": llm_server.url, **extra}], "temperature": 0.2}


def test_llava_modes() -> None:
    assert llava_mode({"base_url": "http://0.0.0.0:10000"}) == "worker"
    assert llava_mode({"base_url": "http://localhost:8000/v1"}) == "openai"
    assert llava_mode({"base_url": "yorickvp/llava-13b:abc"}) == "replicate"
    assert llava_mode({"base_url": "http://x/v1", "api_type": "llava"}) == "worker"
    assert llava_mode({"model": "llava"}) == "openai"


def test_llava_agent_through_the_worker_protocol(llm_server: Any, png_file: Path) -> None:
    llm_server.script("A blue square on nothing.")
    agent = LLaVAAgent("llava", llm_config=worker_config(llm_server), max_consecutive_auto_reply=1)
    result = user(max_consecutive_auto_reply=0).initiate_chat(agent, message=f"Describe <img {png_file}>")
    assert result.summary == "A blue square on nothing."
    (request,) = llm_server.images.worker_requests
    assert request["images"] == [base64.b64encode(PNG).decode()]
    assert "###Human: Describe <image>" in request["prompt"] and request["prompt"].endswith("###Assistant: ")
    assert request["temperature"] == 0.2 and request["stop"] == "###"
    assert not llm_server.chat_requests()


def test_llava_agent_on_an_openai_compatible_server(llm_server: Any, llm_config: dict, png_file: Path) -> None:
    llm_server.script("Blue.")
    agent = LLaVAAgent("llava", llm_config=llm_config)
    assert agent.generate_reply([{"role": "user", "content": f"Colour? <img {png_file}>"}]) is not None
    assert not llm_server.images.worker_requests
    assert image_urls(llm_server.chat_requests()[0]["messages"][1]["content"]) == [PNG_URI]


def test_llava_call_falls_back_over_the_config_list(llm_server: Any, png_file: Path) -> None:
    llm_server.script({"status": 500}, "from the second config")
    config = {
        "config_list": [
            {"model": "llava", "base_url": llm_server.url, "api_type": "llava"},
            {"model": "llava", "base_url": llm_server.base_url, "api_key": "test", "max_retries": 0},
        ]
    }
    assert llava_call(f"What is it? <img {png_file}>", config) == "from the second config"
    request = llm_server.chat_requests()[0]
    assert request["messages"][0]["content"][0] == {"type": "text", "text": "What is it? "}
    assert image_urls(request["messages"][0]["content"]) == [PNG_URI]
    llm_server.script({"status": 500}, {"status": 500})
    with pytest.raises(LLaVAError, match="config 0 \\(worker\\)"):
        llava_call("again", config)


def test_llava_on_replicate(monkeypatch: pytest.MonkeyPatch, png_file: Path) -> None:
    calls = []

    def run(model: str, input: dict) -> Iterator[str]:
        calls.append((model, input))
        return iter(["A blue ", "square."])

    monkeypatch.setitem(sys.modules, "replicate", types.SimpleNamespace(run=run))
    config = {"config_list": [{"model": "llava-13b", "base_url": "yorickvp/llava-13b:v1"}], "seed": 3}
    assert llava_call(f"<img {png_file}> what is this?", config) == "A blue square."
    model, inputs = calls[0]
    assert model == "yorickvp/llava-13b:v1" and inputs["image"] == PNG_URI and inputs["seed"] == 3
    assert "<image>" not in inputs["prompt"]
    monkeypatch.setitem(sys.modules, "replicate", None)
    with pytest.raises(LLaVAError, match=r"pyautogen\[lmm\]"):
        llava_call("hi", config)
