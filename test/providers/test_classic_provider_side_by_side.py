"""What 0.2-era code sees from the provider clients, measured side by side with classic 0.2.35 (same calls, same
local servers): the exceptions it catches, the warnings it matches, the request on the wire. Each test goes through
``OpenAIWrapper`` and the provider's real SDK to its strict local server."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import anthropic
import groq
import pytest
from anthropic_server import AnthropicServer
from chat_completions_server import GroqServer, MistralServer, TogetherServer
from gemini_server import GeminiServer

from autogen import OpenAIWrapper
from autogen.oai.client_utils import validate_parameter
from autogen.oai.errors import ProviderAPIError

CLAUDE = "claude-3-5-sonnet-20240620"
USER = [{"role": "user", "content": "Hi"}]


def claude(server: AnthropicServer, **extra: Any) -> dict[str, Any]:
    return {"model": CLAUDE, "api_type": "anthropic", "api_key": "sk-ant-test", "base_url": server.url, **extra}


def llama(server: GroqServer, **extra: Any) -> dict[str, Any]:
    return {
        "model": "llama-3.3-70b-versatile",
        "api_type": "groq",
        "api_key": "gsk-test",
        "base_url": server.url,
        **extra,
    }


# ----- errors: classic let Anthropic's (and Mistral's) SDK exceptions through, and wrapped Groq's, Together's and
# Cohere's in a RuntimeError; ours is a RuntimeError that is also the SDK's exception, so either `except` works


def test_an_anthropic_error_is_the_sdks_own_exception(provider_servers: Any) -> None:
    server = provider_servers(AnthropicServer)
    server.fail(429, "slow down")
    wrapper = OpenAIWrapper(config_list=[claude(server, max_retries=0)], cache_seed=None)
    with pytest.raises(anthropic.RateLimitError) as caught:
        wrapper.create(messages=USER)
    err = caught.value
    assert isinstance(err, anthropic.APIStatusError) and isinstance(err, ProviderAPIError)
    assert err.status_code == 429 and err.provider == "Anthropic"
    assert err.body["error"]["type"] == "rate_limit_error"  # the SDK's attributes are there
    # the error's own text first (as classic raised it), then where the call went
    assert str(err).startswith(f"Anthropic request for model '{CLAUDE}' failed (HTTP 429)")
    assert "slow down" in str(err) and "(The LLM call failed: config 0 (model" in str(err)
    assert isinstance(err.__cause__, anthropic.RateLimitError)

    server.fail(400, "bad request")
    with pytest.raises(anthropic.BadRequestError):
        wrapper.create(messages=USER)


def test_a_groq_error_is_the_sdks_own_exception_and_the_next_config_still_answers(provider_servers: Any) -> None:
    server = provider_servers(GroqServer)
    server.fail(500, "boom")
    with pytest.raises(groq.InternalServerError) as caught:
        OpenAIWrapper(config_list=[llama(server, max_retries=0)], cache_seed=None).create(messages=USER)
    assert caught.value.status_code == 500 and isinstance(caught.value, (ProviderAPIError, RuntimeError))
    assert "Groq exception occurred: " in str(caught.value)  # classic's RuntimeError said so

    server.fail(429, "slow down")
    server.script("from the second config")
    wrapper = OpenAIWrapper(config_list=[llama(server, max_retries=0), llama(server)], cache_seed=None)
    assert wrapper.create(messages=USER).choices[0].message.content == "from the second config"
    assert len(server.requests) == 3


def test_the_sdk_typed_error_pickles_as_our_error(provider_servers: Any) -> None:
    server = provider_servers(AnthropicServer)
    server.fail(529, "overloaded")
    with pytest.raises(anthropic.APIStatusError) as caught:
        OpenAIWrapper(config_list=[claude(server, max_retries=0)], cache_seed=None).create(messages=USER)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is ProviderAPIError
    assert (copy.status_code, copy.provider, str(copy)) == (529, "Anthropic", str(caught.value))
    assert repr(caught.value).startswith("ProviderAPIError(")


def test_claude_on_bedrock_from_classics_environment_variables(
    provider_servers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classic took Bedrock credentials from AWS_ACCESS_KEY / AWS_SECRET_KEY / AWS_REGION when the config had none."""
    server = provider_servers(AnthropicServer)
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY", "AKIDCLASSIC")
    monkeypatch.setenv("AWS_SECRET_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    server.script("from Bedrock")
    config = {"model": "anthropic.claude-3-haiku-20240307-v1:0", "api_type": "anthropic", "base_url": server.url}
    answer = OpenAIWrapper(config_list=[config], cache_seed=None).create(messages=USER)
    assert answer.choices[0].message.content == "from Bedrock"
    authorization = server.requests[-1].headers["authorization"]
    assert (
        authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDCLASSIC/") and "/eu-west-1/bedrock/" in authorization
    )


def test_an_empty_answer_is_empty_text(provider_servers: Any) -> None:
    """Claude may end its turn with no content at all (e.g. after a tool result): classic gave "", not None."""
    server = provider_servers(AnthropicServer)
    server.script({"content": None})
    wrapper = OpenAIWrapper(config_list=[claude(server)], cache_seed=None)
    answer = wrapper.create(messages=USER)
    assert answer.choices[0].message.content == "" and answer.choices[0].message.tool_calls is None
    assert wrapper.extract_text_or_completion_object(answer) == [""]


# ----- config errors: classic asserted an API key and a model, with these sentences

CLASSIC_NO_KEY = {
    "groq": ("GROQ_API_KEY", "Please include the api_key in your config list entry for Groq or set the GROQ_API_KEY"),
    "together": ("TOGETHER_API_KEY", "Please include the api_key in your config list entry for Together.AI or set"),
    "mistral": ("MISTRAL_API_KEY", "Please specify the 'api_key' in your config list entry for Mistral or set the"),
    "cohere": ("COHERE_API_KEY", "Please include the api_key in your config list entry for Cohere or set the COHERE"),
}
CLASSIC_NO_MODEL = {
    "groq": "Please specify the 'model' in your config list entry to nominate the Groq model to use.",
    "together": "Please specify the 'model' in your config list entry to nominate the Together.AI model to use.",
    "mistral": "Please specify the 'model' in your config list entry to nominate the Mistral.ai model to use.",
    "cohere": "Please specify the 'model' in your config list entry to nominate the Cohere model to use.",
    "anthropic": "Please provide a `model` in the config_list to use the Anthropic API.",
}


@pytest.mark.parametrize("api_type", sorted(CLASSIC_NO_KEY))
def test_a_config_without_api_key_fails_as_classic_did(api_type: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GROQ_API_KEY", "TOGETHER_API_KEY", "MISTRAL_API_KEY", "COHERE_API_KEY", "CO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    env, sentence = CLASSIC_NO_KEY[api_type]
    # at config time, before any request (Mistral's SDK would otherwise send one without a key)
    with pytest.raises(AssertionError, match=sentence) as caught:
        OpenAIWrapper(config_list=[{"model": "m", "api_type": api_type, "base_url": "http://127.0.0.1:9"}])
    assert isinstance(caught.value, ValueError) and str(caught.value).startswith(sentence)
    monkeypatch.setenv(env, "from-the-environment")
    OpenAIWrapper(config_list=[{"model": "m", "api_type": api_type, "base_url": "http://127.0.0.1:9"}])


@pytest.mark.parametrize("api_type", sorted(CLASSIC_NO_MODEL))
def test_a_config_without_model_fails_as_classic_did(api_type: str) -> None:
    with pytest.raises(AssertionError) as caught:
        OpenAIWrapper(config_list=[{"api_type": api_type, "api_key": "k"}])
    assert isinstance(caught.value, ValueError) and str(caught.value).startswith(CLASSIC_NO_MODEL[api_type])


def test_anthropic_without_key_keeps_the_classic_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    with pytest.raises(ValueError, match=r"^API key or AWS credentials are required to use the Anthropic API\."):
        OpenAIWrapper(config_list=[{"model": CLAUDE, "api_type": "anthropic"}])


# ----- warnings: classic's texts, which 0.2-era tests match


def test_validate_parameter_warns_in_classic_words() -> None:
    params = {"t": 1.5, "s": "x", "m": "b", "u": 7}
    expected = [
        (
            "t",
            (float, int),
            True,
            None,
            (0.0, 1.0),
            None,
            "t has numerical bounds, >= 0.0 and <= 1.0, or can be None, defaulting to None.",
        ),
        ("u", int, False, 1, (None, 5), None, "u has numerical bounds <= 5, defaulting to 1."),
        ("s", (int, float), True, None, None, None, "s must be of type (int, float) or None, defaulting to None."),
        ("m", str, False, "a", None, ["a", "c"], "m must be one of these values [['a', 'c']], defaulting to a."),
    ]
    for name, types, allow_none, default, bounds, allowed, text in expected:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert validate_parameter(params, name, types, allow_none, default, bounds, allowed) == default
        assert [str(w.message) for w in caught] == [f"Config error - {text}"]


def test_anthropic_stream_and_bad_temperature_warn_as_classic(provider_servers: Any) -> None:
    server = provider_servers(AnthropicServer)
    server.script("Hello")
    wrapper = OpenAIWrapper(config_list=[claude(server, stream=True, temperature=1.5)], cache_seed=None)
    with pytest.warns(UserWarning) as caught:
        assert wrapper.create(messages=USER).choices[0].message.content == "Hello"
    texts = [str(w.message) for w in caught]
    assert "Config error - temperature has numerical bounds, >= 0.0 and <= 1.0, defaulting to 1.0." in texts
    assert any(t.startswith("Streaming is not currently supported, streaming will be disabled.") for t in texts)
    assert "stream" not in server.bodies("/v1/messages")[0]


def test_mistral_warns_that_it_does_not_stream_as_classic(provider_servers: Any) -> None:
    server = provider_servers(MistralServer)
    server.script("Bonjour")
    config = {"model": "mistral-large-latest", "api_type": "mistral", "api_key": "k", "base_url": server.url}
    wrapper = OpenAIWrapper(config_list=[{**config, "stream": True}], cache_seed=None)
    with pytest.warns(UserWarning, match=r"^Streaming is not currently supported, streaming will be disabled\.$"):
        assert wrapper.create(messages=USER).choices[0].message.content == "Bonjour"
    assert server.bodies()[0]["stream"] is False


def test_together_errors_say_what_classic_said(provider_servers: Any) -> None:
    server = provider_servers(TogetherServer)
    server.fail(400, "bad request")
    config = {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "api_type": "together", "api_key": "k"}
    wrapper = OpenAIWrapper(config_list=[{**config, "base_url": server.url, "max_retries": 0}], cache_seed=None)
    with pytest.raises(RuntimeError, match="Together.AI exception occurred: .*bad request"):
        wrapper.create(messages=USER)


# ----- Gemini: classic used google-generativeai over gRPC, so these were compared by reading its source


def gemini(server: GeminiServer, **extra: Any) -> dict[str, Any]:
    return {"model": "gemini-1.5-flash", "api_type": "google", "api_key": "AIza-test", "base_url": server.url, **extra}


def test_gemini_takes_classics_system_instruction_setting(provider_servers: Any) -> None:
    server = provider_servers(GeminiServer)
    server.script("Ahoy")
    wrapper = OpenAIWrapper(config_list=[gemini(server, system_instruction="Talk like a pirate.")], cache_seed=None)
    messages = [{"role": "system", "content": "Be brief."}, *USER]
    assert wrapper.create(messages=messages).choices[0].message.content == "Ahoy"
    parts = server.bodies()[0]["systemInstruction"]["parts"]
    assert " ".join(p["text"] for p in parts) == "Talk like a pirate.\n\nBe brief."


def test_gemini_warns_about_stream_and_n_as_classic(provider_servers: Any) -> None:
    server = provider_servers(GeminiServer)
    server.script("One answer")
    wrapper = OpenAIWrapper(config_list=[gemini(server, stream=True)], cache_seed=None)
    with pytest.warns(UserWarning) as caught:
        assert wrapper.create(messages=USER, n=2).choices[0].message.content == "One answer"
    texts = [str(w.message) for w in caught]
    assert "Streaming is not supported for Gemini yet, and it will have no effect. Please set stream=False." in texts
    assert "Gemini only supports `n=1` for now. We only generate one response." in texts


def test_gemini_errors_say_what_classic_said(provider_servers: Any) -> None:
    server = provider_servers(GeminiServer)
    server.fail(400, "bad request")
    wrapper = OpenAIWrapper(config_list=[gemini(server, max_retries=0)], cache_seed=None)
    with pytest.raises(RuntimeError, match="Google GenAI exception occurred while calling Gemini API: .*bad request"):
        wrapper.create(messages=USER)
