"""``plain_endpoint.settings_for`` against the installed SDK's own client: the same base URL, headers, query,
default timeout and retries, for every configuration it accepts; None for the ones it leaves to the SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from autogen.oai import direct
from autogen.oai.client_pool import _build, _sync_class, make_endpoint
from autogen.oai.plain_endpoint import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, settings_for
from autogen.oai.sdk_adapter import sends_read_timeout_header, source_sends_read_timeout_header

CONFIGS = [
    {"api_key": "sk-1"},
    {"api_key": "sk-1", "base_url": "http://127.0.0.1:9/v1"},
    {"api_key": "sk-1", "base_url": "http://127.0.0.1:9/v1/"},
    {"api_key": "sk-1", "organization": "org-1", "project": "proj-1"},
    {"api_key": "sk-1", "default_headers": {"X-Custom": "yes", "User-Agent": "mine/1"}},
    {"api_key": "sk-1", "default_headers": {"OpenAI-Organization": "from-headers"}, "organization": "org-2"},
    {"api_key": "sk-1", "default_query": {"tenant": "a"}},
]


def merged(auth: dict[str, Any], default: dict[str, Any]) -> dict[str, str]:
    """The fixed headers a request carries (case-insensitive; the SDK's Omit() and our None leave one out)."""
    out: dict[str, str] = {}
    for source in (auth, default):
        for name, value in source.items():
            if isinstance(value, str):
                out[name.lower()] = value
            else:
                out.pop(name.lower(), None)
    return out


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_the_same_settings_as_the_sdk_client(kwargs: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OPENAI_")]:
        monkeypatch.delenv(name)
    endpoint = make_endpoint("openai", kwargs)
    ours = settings_for(endpoint)
    assert ours is not None
    sdk = _build(_sync_class, endpoint)
    assert ours.base_url == str(sdk.base_url)
    assert merged(ours.auth_headers, ours.default_headers) == merged(sdk.auth_headers, sdk.default_headers)
    assert ours.default_query == dict(sdk.default_query)
    assert ours.max_retries == sdk.max_retries == DEFAULT_MAX_RETRIES == openai.DEFAULT_MAX_RETRIES
    assert [getattr(ours.timeout, part) for part in ("connect", "read", "write", "pool")] == [
        getattr(sdk.timeout, part) for part in ("connect", "read", "write", "pool")
    ]
    ours_deadline, ours_header = direct.deadline_seconds(DEFAULT_TIMEOUT)
    sdk_deadline, sdk_header = direct.deadline_seconds(openai.DEFAULT_TIMEOUT)
    assert ours_deadline == sdk_deadline
    assert source_sends_read_timeout_header() is sends_read_timeout_header(sdk)
    if sends_read_timeout_header(sdk):  # the x-stainless-read-timeout value (older SDKs wrote 600.0, sent none)
        assert ours_header == sdk_header


def test_the_environment_as_the_sdk_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OPENAI_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/env/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    endpoint = make_endpoint("openai", {})
    ours, sdk = settings_for(endpoint), _build(_sync_class, endpoint)
    assert ours is not None and ours.base_url == str(sdk.base_url) == "http://127.0.0.1:9/env/v1/"
    assert merged(ours.auth_headers, ours.default_headers) == merged(sdk.auth_headers, sdk.default_headers)
    assert merged(ours.auth_headers, {})["authorization"] == "Bearer sk-env"


@pytest.mark.parametrize(
    "api_type, kwargs, environ",
    [
        ("azure", {"api_key": "k", "azure_endpoint": "http://x", "api_version": "2024-02-01"}, {}),
        ("openai", {"api_key": lambda: "dynamic"}, {}),
        ("openai", {}, {}),  # no key anywhere: the SDK raises its own error
        ("openai", {"api_key": ""}, {}),
        ("openai", {"api_key": "k", "http_client": object()}, {}),
        ("openai", {"api_key": "k", "default_headers": {"X-Number": 1}}, {}),
        ("openai", {"api_key": "k"}, {"OPENAI_CUSTOM_HEADERS": "X-A: 1"}),  # read by newer SDKs only
        ("openai", {"api_key": "k"}, {"OPENAI_ADMIN_KEY": "admin"}),
    ],
)
def test_what_is_left_to_the_sdk(api_type: str, kwargs: dict[str, Any], environ: dict[str, str]) -> None:
    assert settings_for(make_endpoint(api_type, kwargs), environ=environ) is None


def test_a_missing_key_is_the_sdks_error_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.oai.client import OpenAIWrapper

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(openai.OpenAIError, match="api_key|OPENAI_API_KEY"):
        OpenAIWrapper(config_list=[{"model": "gpt-4", "base_url": "http://127.0.0.1:9/v1"}])


ERRORS = """
import json, sys
from autogen.oai.client import OpenAIWrapper
wrapper = OpenAIWrapper(config_list=[{"model": "gpt-4", "base_url": sys.argv[1], "api_key": "test"}], cache_seed=None)
before = "openai" in sys.modules
try:
    wrapper.create(messages=[{"role": "user", "content": "hi"}])
except Exception as err:
    import openai
    print(json.dumps({"before": before, "sdk_type": type(err) is openai.RateLimitError, "status": err.status_code}))
"""


def test_errors_of_a_fresh_process_are_the_sdks(llm_server: Any) -> None:
    """The SDK is loaded when the first try fails: the retries and the exception are its own."""
    llm_server.script({"status": 429}, {"status": 429}, {"status": 429})
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", ERRORS, llm_server.base_url], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"before": False, "sdk_type": True, "status": 429}
    assert len(llm_server.chat_requests()) == 3  # the SDK's default: two retries
    assert [r.headers.get("x-stainless-retry-count") for r in llm_server.requests] == ["0", "1", "2"]
