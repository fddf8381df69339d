"""The classic autogen.Completion / ChatCompletion, through the real openai SDK against the local server."""

from __future__ import annotations

import os
from typing import Any, Dict

import pytest
from llm_server import LLMServer, last_user_content

import autogen
from autogen import ChatCompletion, Completion
from autogen.io import IOStream

pytestmark = pytest.mark.filterwarnings("ignore:autogen.Completion.create is deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def _fresh_class_state() -> Any:
    Completion.set_cache(41, ".cache")
    yield
    Completion.stop_logging()
    Completion.clear_cache(cache_path_root=".cache")
    Completion._usage_log = None


def endpoint(server: LLMServer) -> Dict[str, Any]:
    return {"base_url": server.base_url, "api_key": "test"}


def test_create_sends_a_chat_request_and_returns_the_classic_dict(llm_server: LLMServer) -> None:
    llm_server.script({"content": "4", "usage": {"prompt_tokens": 1000, "completion_tokens": 500}})
    with pytest.warns(DeprecationWarning, match="OpenAIWrapper"):
        response = ChatCompletion.create(
            messages=[{"role": "user", "content": "2+2?"}], model="gpt-4", use_cache=False, **endpoint(llm_server)
        )
    assert response["choices"][0]["message"]["content"] == "4"
    assert response["cost"] == pytest.approx(0.03 + 0.03)  # 1000 prompt tokens at 0.03/1k + 500 at 0.06/1k
    assert Completion.cost(response) == response["cost"]
    assert Completion.extract_text(response) == ["4"]
    assert llm_server.chat_requests()[0]["messages"] == [{"role": "user", "content": "2+2?"}]


def test_a_prompt_template_becomes_a_user_message_for_chat_models(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: "seen: " + last_user_content(body)
    response = Completion.create(
        context={"problem": "1+1"},
        prompt="Solve {problem}",
        allow_format_str_template=True,
        model="gpt-3.5-turbo",
        use_cache=False,
        **endpoint(llm_server),
    )
    assert Completion.extract_text(response) == ["seen: Solve 1+1"]
    body = llm_server.chat_requests()[0]
    assert body["messages"] == [{"role": "user", "content": "Solve 1+1"}]
    assert "prompt" not in body
    # a callable template is filled from the context too
    response = ChatCompletion.create(
        context={"x": 3}, prompt=lambda ctx: f"x is {ctx['x']}", use_cache=False, config_list=llm_server.config_list()
    )
    assert Completion.extract_text(response) == ["seen: x is 3"]


def test_config_list_fallback_and_filter_func_see_the_classic_dict(llm_server: LLMServer) -> None:
    llm_server.script("not a number", "42")
    seen = []

    def is_number(context: Dict[str, Any], response: Dict[str, Any]) -> bool:
        seen.append(response["choices"][0]["message"]["content"])
        return response["choices"][0]["message"]["content"].isdigit()

    config_list = llm_server.config_list("gpt-3.5-turbo") + llm_server.config_list("gpt-4")
    response = ChatCompletion.create(
        messages=[{"role": "user", "content": "a number"}], config_list=config_list, filter_func=is_number
    )
    assert seen == ["not a number", "42"]
    assert response["config_id"] == 1 and response["pass_filter"] is True
    assert [b["model"] for b in llm_server.chat_requests()] == ["gpt-3.5-turbo", "gpt-4"]


def test_the_cache_answers_repeated_requests_and_set_cache_changes_the_seed(
    llm_server: LLMServer, tmp_path: Any
) -> None:
    llm_server.script("first", "second", "third")
    config = dict(messages=[{"role": "user", "content": "hi"}], config_list=llm_server.config_list())
    assert Completion.extract_text(ChatCompletion.create(**config)) == ["first"]
    assert Completion.extract_text(ChatCompletion.create(**config)) == ["first"]  # from the cache
    assert os.path.isdir(os.path.join(".cache", "41"))
    Completion.set_cache(7, cache_path_root=str(tmp_path / "other"))
    assert Completion.cache_path == os.path.join(str(tmp_path / "other"), "7")
    assert Completion.extract_text(ChatCompletion.create(**config)) == ["second"]
    Completion.clear_cache(7, cache_path_root=str(tmp_path / "other"))
    assert not os.path.exists(tmp_path / "other" / "7")
    assert Completion.extract_text(ChatCompletion.create(**config)) == ["third"]
    assert Completion.extract_text(ChatCompletion.create(**config, use_cache=False)) != ["third"]
    # a request's own cache_seed picks another cache under the same root
    llm_server.script("fourth")
    assert Completion.extract_text(ChatCompletion.create(**config, cache_seed=8)) == ["fourth"]
    assert os.path.isdir(tmp_path / "other" / "8")


def test_function_calls_are_extracted_as_messages(llm_server: LLMServer) -> None:
    llm_server.script({"function_call": {"name": "add", "arguments": {"a": 1}}})
    response = ChatCompletion.create(
        messages=[{"role": "user", "content": "add"}],
        functions=[{"name": "add", "parameters": {"type": "object", "properties": {"a": {"type": "number"}}}}],
        config_list=llm_server.config_list(),
        use_cache=False,
    )
    (call,) = Completion.extract_text_or_function_call(response)
    assert call["function_call"] == {"name": "add", "arguments": '{"a": 1}'}


def test_rate_limits_return_minus_one_when_asked_not_to_raise(llm_server: LLMServer) -> None:
    llm_server.script({"status": 429}, {"status": 429}, {"status": 429})
    config_list = llm_server.config_list(max_retries=0)
    result = ChatCompletion.create(
        messages=[{"role": "user", "content": "x"}],
        config_list=config_list,
        raise_on_ratelimit_or_timeout=False,
        use_cache=False,
    )
    assert result == -1
    import openai

    with pytest.raises(openai.RateLimitError):
        ChatCompletion.create(messages=[{"role": "user", "content": "x"}], config_list=config_list, use_cache=False)


def test_logging_history_and_usage_summary(llm_server: LLMServer, capsys: Any) -> None:
    llm_server.script(
        {"content": "a", "usage": {"prompt_tokens": 100, "completion_tokens": 10}},
        {"content": "b", "usage": {"prompt_tokens": 200, "completion_tokens": 20}},
        {"content": "c", "usage": {"prompt_tokens": 300, "completion_tokens": 30}},
    )
    config_list = llm_server.config_list("gpt-3.5-turbo")
    Completion.start_logging()
    first = [{"role": "user", "content": "hi"}]
    ChatCompletion.create(messages=first, config_list=config_list, use_cache=False)
    # the conversation continued: its entry moves to the longer key
    ChatCompletion.create(
        messages=first + [{"role": "assistant", "content": "a"}, {"role": "user", "content": "more"}],
        config_list=config_list,
        use_cache=False,
    )
    history = Completion.logged_history
    assert len(history) == 1
    (entry,) = history.values()
    assert entry["created_at"] == [0, 1]
    assert [t["total_tokens"] for t in entry["token_count"]] == [110, 220]
    Completion.stop_logging()
    ChatCompletion.create(messages=[{"role": "user", "content": "unlogged"}], config_list=config_list, use_cache=False)
    assert len(Completion.logged_history) == 1
    with IOStream.set_default(None):
        summary = Completion.print_usage_summary()
    assert summary["token_count"]["gpt-3.5-turbo"] == {
        "prompt_tokens": 300,
        "completion_tokens": 30,
        "total_tokens": 330,
    }
    assert summary["total_cost"] == pytest.approx(sum(entry["cost"]))
    assert "Total cost" in capsys.readouterr().out

    # not compact: one entry per call with the request and the response
    record: Dict[Any, Any] = {}
    Completion.start_logging(record, compact=False)
    llm_server.script("d")
    ChatCompletion.create(messages=first, config_list=config_list, use_cache=False)
    assert record[0]["request"]["messages"] == first
    assert record[0]["response"]["choices"][0]["message"]["content"] == "d"


def test_classic_class_attributes() -> None:
    assert "gpt-4" in Completion.chat_models
    assert Completion.price1K["text-davinci-003"] == 0.02
    assert Completion.price1K["gpt-4"] == (0.03, 0.06)
    space = ChatCompletion.default_search_space
    assert sorted(space["model"].categories) == ["gpt-3.5-turbo", "gpt-4"]
    assert {"temperature_or_top_p", "max_tokens", "n", "prompt"} <= set(space)
    assert "text-davinci-003" in Completion.default_search_space["model"].categories
    assert autogen.oai.Completion is Completion
    # a text model costs by the classic single price
    response = {"model": "text-davinci-003", "usage": {"prompt_tokens": 500, "completion_tokens": 500}}
    assert Completion.cost(response) == pytest.approx(0.02)
    assert Completion.cost({"model": "unknown-model", "usage": {"prompt_tokens": 5}}) == 0.0
