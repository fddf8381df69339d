"""The supported openai range and the one adapter over SDK internals (autogen/oai/sdk_adapter.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from autogen.oai import direct, sdk_adapter
from autogen.oai.client import OpenAIWrapper

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("version", ["1.55.3", "1.80.0", "2.0.0", "2.16.0", "3.57.0"])
def test_versions_in_the_range_are_accepted(version: str) -> None:
    assert sdk_adapter.check_openai_version(version) == version


@pytest.mark.parametrize("version", ["0.28.1", "1.3.0", "1.55.2", "4.0.0"])
def test_versions_outside_the_range_are_refused_naming_it(version: str) -> None:
    with pytest.raises(ImportError) as caught:
        sdk_adapter.check_openai_version(version)
    assert f"openai {version} is installed" in str(caught.value)
    assert sdk_adapter.SUPPORTED_OPENAI in str(caught.value)


def test_an_unsupported_sdk_fails_when_the_llm_layer_loads_it(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One clear error from building a wrapper, not a ModuleNotFoundError from deep inside a chat."""
    from autogen.oai import client_pool

    client_pool.clear_client_pool()
    monkeypatch.setattr(openai, "__version__", "1.3.0")
    monkeypatch.setattr(sdk_adapter, "_checked", None)
    try:
        with pytest.raises(ImportError, match=r"openai>=1\.55\.3,<4"):
            OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
    finally:
        monkeypatch.undo()
        client_pool.clear_client_pool()


def test_only_the_adapter_touches_sdk_internals() -> None:
    # private SDK modules, and the private client methods the adapter looks up
    pattern = r"openai\._|openai\.lib\._|_should_retry|_calculate_retry_timeout|_make_status_error|_build_request"
    found = subprocess.run(
        ["grep", "-rlE", "--include=*.py", pattern, str(ROOT / "autogen")], capture_output=True, text=True
    )
    assert [Path(p).relative_to(ROOT).as_posix() for p in found.stdout.split()] == ["autogen/oai/sdk_adapter.py"]


def test_the_retry_policy_is_the_sdks(llm_server: Any) -> None:
    client = openai.OpenAI(base_url=llm_server.base_url, api_key="test")
    policy = sdk_adapter.retry_policy(client)
    http = sdk_adapter.http_module()
    request = http.Request("POST", llm_server.base_url)
    assert policy.should_retry(http.Response(429, request=request))
    assert not policy.should_retry(http.Response(400, request=request))
    assert not policy.should_retry(http.Response(500, headers={"x-should-retry": "false"}, request=request))
    assert policy.delay(2, 2, http.Headers({"retry-after": "3"})) == 3.0
    assert 0 < policy.delay(2, 2) <= 0.5  # the first back-off: 0.5 s less up to 25 % jitter
    error = policy.status_error(http.Response(429, json={"error": {"message": "slow down"}}, request=request))
    assert isinstance(error, openai.RateLimitError) and "slow down" in str(error)


def test_without_the_internals_the_sdk_sends(llm_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SDK release without one of the internals: an endpoint whose route needs the SDK client (Azure) is served
    through the public ``client.post``; a plain endpoint sends directly until an answer needs the SDK's retry
    rules, and that request (and every later one) goes through ``client.post``."""
    owner = next(cls for cls in type.mro(openai.OpenAI) if "_should_retry" in vars(cls))
    monkeypatch.delattr(owner, "_should_retry")
    posts: list[str] = []
    original = openai.OpenAI.post

    def counting(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        posts.append(path)
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(openai.OpenAI, "post", counting)
    hi = [{"role": "user", "content": "hi"}]
    direct.clear_routes()
    try:
        azure = {"api_type": "azure", "api_version": "2024-02-01", "base_url": llm_server.url}
        wrapper = OpenAIWrapper(config_list=llm_server.config_list(**azure), cache_seed=None)
        client = wrapper._clients[0]
        assert direct.route_for(client.endpoint, "/chat/completions", "gpt-4", lambda: client.client, False) is None
        assert wrapper.create(messages=hi).choices[0].message.content == "echo: hi"
        assert len(posts) == 1

        wrapper = OpenAIWrapper(config_list=llm_server.config_list(), cache_seed=None)
        assert wrapper.create(messages=hi).choices[0].message.content == "echo: hi"
        assert len(posts) == 1  # sent directly
        llm_server.script({"status": 500})
        assert wrapper.create(messages=hi).choices[0].message.content == "echo: hi"
        assert len(posts) == 2 and len(llm_server.chat_requests()) == 4  # the 500, then again through the SDK
        assert wrapper.create(messages=hi).choices[0].message.content == "echo: hi"
        assert len(posts) == 3
    finally:
        direct.clear_routes()


def test_the_version_check_runs_in_a_fresh_process_before_anything_else() -> None:
    code = (
        "import openai; openai.__version__ = '1.2.0'\n"
        "from autogen.oai.client import OpenAIWrapper\n"
        "try:\n"
        "    OpenAIWrapper(config_list=[{'model': 'gpt-4', 'api_key': 'x'}])\n"
        "except ImportError as err:\n"
        "    print('refused:', err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "refused: pyautogen supports openai>=1.55.3,<4, but openai 1.2.0 is installed" in done.stdout, done.stderr
