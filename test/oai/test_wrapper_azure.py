"""Azure OpenAI configs: routed by the AzureOpenAI client to deployments, with api-version and api-key."""

from __future__ import annotations

from typing import Any

from autogen.oai.client import OpenAIWrapper


def azure_config(server: Any, **extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-3.5-turbo",
        "api_type": "azure",
        "api_version": "2024-02-01",
        "base_url": server.url,
        "api_key": "azure-key",
        **extra,
    }


def test_azure_request_goes_to_the_deployment(llm_server: Any) -> None:
    wrapper = OpenAIWrapper(config_list=[azure_config(llm_server)], cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert response.choices[0].message.content == "echo: hi"
    [request] = llm_server.requests
    assert request.path == "/openai/deployments/gpt-35-turbo/chat/completions"  # dots removed, as classic
    assert request.query == {"api-version": ["2024-02-01"]}
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["api-key"] == "azure-key"  # (older openai releases send it as a Bearer token as well)
    assert request.body is not None and request.body["model"] == "gpt-35-turbo"
    assert "api_version" not in request.body and "api_type" not in request.body


def test_azure_explicit_deployment_and_fallback_to_openai(llm_server: Any) -> None:
    config_list = [azure_config(llm_server, azure_deployment="my-deploy")] + llm_server.config_list()
    llm_server.script({"status": 500}, "from openai")
    wrapper = OpenAIWrapper(config_list=config_list, cache_seed=None)
    response = wrapper.create(messages=[{"role": "user", "content": "hi"}])
    assert response.config_id == 1
    azure, openai_request = llm_server.requests
    assert azure.path == "/openai/deployments/my-deploy/chat/completions"
    assert openai_request.path == "/v1/chat/completions"
    assert {k.lower(): v for k, v in openai_request.headers.items()}["authorization"] == "Bearer test"


def test_azure_stream_usage_with_recent_api_version(llm_server: Any) -> None:
    from helpers import ScriptedIO

    from autogen.io.base import IOStream

    wrapper = OpenAIWrapper(config_list=[azure_config(llm_server, api_version="2024-10-21")], cache_seed=None)
    llm_server.script({"content": "streamed", "usage": {"prompt_tokens": 2, "completion_tokens": 3}})
    with IOStream.set_default(ScriptedIO()):
        response = wrapper.create(messages=[{"role": "user", "content": "hi"}], stream=True)
    assert llm_server.chat_requests()[0]["stream_options"] == {"include_usage": True}
    assert response.usage.total_tokens == 5
