"""The bench's stand-in model (bench/model_server.py) speaks chat completions as the test server does: the real
openai SDK and an agent get their answers from it, after the delay it was started with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def base_url() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "model_server.py"), "0.05"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()  # the server ends when its standard input closes
        assert process.wait(timeout=30) == 0


def test_the_sdk_gets_a_chat_completion(base_url: str) -> None:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="test", max_retries=0)
    messages = [{"role": "user", "content": "hello there"}]
    response = client.chat.completions.create(model="gpt-4", messages=messages)  # type: ignore[arg-type]
    assert response.choices[0].message.content == "thinking"
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None and response.usage.prompt_tokens > 0
    with pytest.raises(openai.BadRequestError, match="does not stream"):
        client.chat.completions.create(model="gpt-4", messages=messages, stream=True)  # type: ignore[arg-type]


def test_an_agent_chats_with_it(base_url: str) -> None:
    import autogen

    config = {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None}
    assistant = autogen.ConversableAgent("assistant", llm_config=config, human_input_mode="NEVER")
    user = autogen.ConversableAgent("user", llm_config=False, human_input_mode="NEVER", default_auto_reply="go on")
    result = user.initiate_chat(assistant, message="go", max_turns=2, silent=True)
    assert [m["content"] for m in result.chat_history] == ["go", "thinking", "go on", "thinking"]
