"""The classic ``autogen.Completion`` / ``autogen.ChatCompletion``: templated completions, tuning, testing, cost.

Calls go through :class:`autogen.OpenAIWrapper` (the same config list, fallback, caching and cost logic);
responses come back as plain dicts in the classic shape (``response["choices"][0]["message"]["content"]``,
``response["cost"]``). New code should use ``OpenAIWrapper.create``. ``tune`` is EcoOptiGen: a cost-aware
search (``flaml.tune``) over model, prompt, temperature/top_p, max_tokens, n and stop, under an inference
budget per instance and an optimization budget in total (see :mod:`autogen.oai.completion_tune`).
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from typing import Any, Callable, Dict, List, Optional, Union

from .completion_flow import get_key  # noqa: F401 - a classic module name
from .completion_log import UsageLog
from .completion_tune import TuneSetup, aggregate, default_space, evaluate, run_tune
from .model_prices import OAI_PRICE1K, get_price
from .templating import instantiate as _instantiate

__all__ = ["Completion", "ChatCompletion"]

logger = logging.getLogger(__name__)


def __getattr__(name: str) -> Any:
    if name == "ERROR":  # classic: the ImportError when openai is missing, else None
        from . import client

        return client.ERROR
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# the legacy text-completion models (prompt in, text out); every other model is a chat model
_TEXT_MODELS = ("text-", "davinci", "curie", "babbage", "ada", "code-", "gpt-3.5-turbo-instruct")

_CLASSIC_TEXT_PRICES: Dict[str, Union[float, tuple]] = {
    "text-ada-001": 0.0004,
    "text-babbage-001": 0.0005,
    "text-curie-001": 0.002,
    "code-cushman-001": 0.024,
    "code-davinci-002": 0.1,
    "text-davinci-002": 0.02,
    "text-davinci-003": 0.02,
}

Response = Dict[str, Any]


def _is_chat_model(model: Optional[str]) -> bool:
    return not (model or "").startswith(_TEXT_MODELS)


def _as_dict(response: Any) -> Response:
    data: Response = response.model_dump() if hasattr(response, "model_dump") else dict(response)
    for key in ("cost", "config_id", "pass_filter"):
        if hasattr(response, key):
            data[key] = getattr(response, key)
    return data


class _CompletionType(type):
    @property
    def logged_history(cls) -> Dict[Any, Any]:
        """What ``start_logging`` recorded (an empty dict before it was called)."""
        log = Completion._usage_log
        return log.history if log is not None else {}

    @property
    def default_search_space(cls) -> Dict[str, Any]:
        """What ``tune`` searches unless told otherwise (built on first read: it imports flaml)."""
        space = cls.__dict__.get("_search_space")
        if space is None:
            space = default_space(cls._search_models)  # type: ignore[attr-defined]
            cls._search_space = space
        return space  # type: ignore[no-any-return]

    @default_search_space.setter
    def default_search_space(cls, space: Dict[str, Any]) -> None:
        cls._search_space = space


class Completion(metaclass=_CompletionType):
    """Classic templated completions over OpenAI-compatible endpoints (text models and chat models).

    Class attributes people read: ``chat_models``, ``price1K`` (USD per 1k tokens: a number, or a pair
    (prompt, completion)), ``default_search_space`` (what ``tune`` searches when not told otherwise),
    ``cache_seed`` and ``cache_path`` (set with :meth:`set_cache`).
    """

    chat_models = {
        "gpt-3.5-turbo",
        "gpt-3.5-turbo-0301",
        "gpt-3.5-turbo-0613",
        "gpt-3.5-turbo-16k",
        "gpt-3.5-turbo-16k-0613",
        "gpt-35-turbo",
        "gpt-35-turbo-16k",
        "gpt-4",
        "gpt-4-32k",
        "gpt-4-32k-0314",
        "gpt-4-0314",
        "gpt-4-0613",
        "gpt-4-32k-0613",
        "gpt-4-turbo",
        "gpt-4o",
        "gpt-4o-mini",
    }
    price1K: Dict[str, Union[float, tuple]] = {**_CLASSIC_TEXT_PRICES, **OAI_PRICE1K}
    _search_models: List[str] = ["text-ada-001", "text-babbage-001", "text-davinci-003", "gpt-3.5-turbo", "gpt-4"]
    cache_seed: Optional[int] = 41
    cache_path_root: str = ".cache"
    cache_path: str = os.path.join(".cache", "41")
    retry_wait_time = 10
    max_retry_period = 120
    optimization_budget: Optional[float] = None
    _usage_log: Optional[UsageLog] = None
    _setup: Optional[TuneSetup] = None

    # ----------------------------------------------------------------------------------------- cache --
    @classmethod
    def set_cache(cls, seed: Optional[int] = 41, cache_path_root: Optional[str] = ".cache") -> None:
        """Cache the responses under ``<cache_path_root>/<seed>`` (a different seed gives fresh answers)."""
        cls.cache_seed = seed
        cls.cache_path_root = cache_path_root or ".cache"
        cls.cache_path = os.path.join(cls.cache_path_root, str(seed))

    @classmethod
    def clear_cache(cls, seed: Optional[int] = None, cache_path_root: Optional[str] = ".cache") -> None:
        """Delete the cache of ``seed`` (every seed's when None) under ``cache_path_root``."""
        from ..cache.disk_cache import clear_disk_cache_pool

        root = cache_path_root or ".cache"
        clear_disk_cache_pool()  # close the open databases before their files go
        shutil.rmtree(root if seed is None else os.path.join(root, str(seed)), ignore_errors=True)

    @classmethod
    def _cache(cls, seed: Optional[int]) -> Any:
        if seed is None:
            return None
        from ..cache.cache_factory import CacheFactory

        return CacheFactory.cache_factory(seed, cache_path_root=cls.cache_path_root)

    # ---------------------------------------------------------------------------------------- create --
    @classmethod
    def instantiate(
        cls,
        template: Union[str, None, Callable[[Dict[str, Any]], str]],
        context: Optional[Dict[str, Any]] = None,
        allow_format_str_template: Optional[bool] = False,
    ) -> Any:
        return _instantiate(template, context, bool(allow_format_str_template))

    @classmethod
    def _uses_chat(cls, model: Optional[str]) -> bool:
        return model in cls.chat_models or _is_chat_model(model)

    @classmethod
    def _as_chat(cls, params: Dict[str, Any], model: Optional[str]) -> Dict[str, Any]:
        """``params`` with a ``prompt`` turned into one user message, when ``model`` is a chat model."""
        if "prompt" in params and "messages" not in params and cls._uses_chat(model):
            params["messages"] = [{"role": "user", "content": params.pop("prompt")}]
        return params

    @classmethod
    def create(
        cls,
        context: Optional[Dict[str, Any]] = None,
        use_cache: Optional[bool] = True,
        config_list: Optional[List[Dict[str, Any]]] = None,
        filter_func: Optional[Callable[[Dict[str, Any], Response], bool]] = None,
        raise_on_ratelimit_or_timeout: Optional[bool] = True,
        allow_format_str_template: Optional[bool] = False,
        **config: Any,
    ) -> Union[Response, int]:
        """A completion for ``prompt`` or ``messages`` (templates filled from ``context``), as a dict.

        Deprecated: use ``autogen.OpenAIWrapper(config_list=...).create(...)``. The configs of ``config_list``
        are tried in order (their settings win over ``config``); ``filter_func(context, response)`` rejects a
        response so the next config is tried. With ``raise_on_ratelimit_or_timeout=False`` a rate limit or a
        timeout on every config returns -1 instead of raising.
        """
        warnings.warn(
            "autogen.Completion.create is deprecated; use autogen.OpenAIWrapper(config_list=...).create(...) "
            "(same config list, caching and cost).",
            DeprecationWarning,
            stacklevel=2,
        )
        return cls._create(context, use_cache, config_list, filter_func, raise_on_ratelimit_or_timeout,
                           allow_format_str_template, config)  # fmt: skip

    @classmethod
    def _create(
        cls,
        context: Optional[Dict[str, Any]],
        use_cache: Optional[bool],
        config_list: Optional[List[Dict[str, Any]]],
        filter_func: Optional[Callable[..., bool]],
        raise_on_ratelimit_or_timeout: Optional[bool],
        allow_format_str_template: Optional[bool],
        config: Dict[str, Any],
    ) -> Union[Response, int]:
        from .client import OpenAIWrapper

        params = dict(config)
        if "request_timeout" in params:  # the classic name of the timeout
            params["timeout"] = params.pop("request_timeout")
        model = params.get("model") or next((c.get("model") for c in config_list or [] if c.get("model")), None)
        params = cls._as_chat(params, model)
        if config_list is not None:
            config_list = [cls._as_chat(dict(entry), entry.get("model") or model) for entry in config_list]
        endpoint_keys = ("api_key", "base_url", "api_base", "api_type", "api_version", "organization")
        base = {k: params.pop(k) for k in endpoint_keys if k in params}
        if "api_base" in base:  # the openai<1 name
            base["base_url"] = base.pop("api_base")
        if params.get("model"):
            base["model"] = params["model"]  # for configs that name no model (endpoints only)
        wrapper = OpenAIWrapper(config_list=config_list, **base)
        seed = params.pop("cache_seed", cls.cache_seed)  # a request's own seed picks its cache, as classic
        call: Dict[str, Any] = dict(params, cache_seed=None, allow_format_str_template=bool(allow_format_str_template))
        if context:
            call["context"] = context
        cache = cls._cache(seed) if use_cache else None
        if cache is not None:
            call["cache"] = cache
        if filter_func is not None:
            call["filter_func"] = lambda context, response: filter_func(context=context, response=_as_dict(response))
        try:
            response = _as_dict(wrapper.create(**call))
        except Exception as err:
            if raise_on_ratelimit_or_timeout or not _is_rate_limit_or_timeout(err):
                raise
            logger.warning("Every config failed with a rate limit or a timeout: %s", err)
            return -1
        response["cost"] = cls.cost(response)
        if Completion._usage_log is not None and Completion._usage_log.active:
            Completion._usage_log.record(params, response)
        return response

    # ------------------------------------------------------------------------------------------ cost --
    @classmethod
    def cost(cls, response: Response) -> float:
        """The cost of ``response`` in USD, from ``price1K`` and its token usage (0 for an unknown model)."""
        model = response.get("model")
        usage = response.get("usage") or {}
        price = cls.price1K.get(model) if model else None
        if price is None:
            price = get_price(model)
        if price is None:
            logger.warning("The model %s has no price in Completion.price1K; its cost is counted as 0.", model)
            return 0.0
        prompt_tokens = usage.get("prompt_tokens") or 0
        completion_tokens = usage.get("completion_tokens") or 0
        if isinstance(price, (int, float)):
            return (prompt_tokens + completion_tokens) * float(price) / 1000
        return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1000

    # --------------------------------------------------------------------------------------- extract --
    @classmethod
    def extract_text(cls, response: Response) -> List[str]:
        """The text of each choice."""
        choices = response["choices"]
        if choices and "text" in choices[0]:
            return [choice["text"] for choice in choices]
        return [choice["message"].get("content", "") for choice in choices]

    @classmethod
    def extract_text_or_function_call(cls, response: Response) -> List[Any]:
        """The text of each choice, or its message (a dict) when it calls a function or tools."""
        choices = response["choices"]
        if choices and "text" in choices[0]:
            return [choice["text"] for choice in choices]
        out: List[Any] = []
        for choice in choices:
            message = choice["message"]
            out.append(message if message.get("function_call") or message.get("tool_calls") else message["content"])
        return out

    # -------------------------------------------------------------------------------- tune and test --
    @classmethod
    def tune(
        cls,
        data: List[Dict[str, Any]],
        metric: str,
        mode: str,
        eval_func: Callable[..., Dict[str, Any]],
        log_file_name: Optional[str] = None,
        inference_budget: Optional[float] = None,
        optimization_budget: Optional[float] = None,
        num_samples: Optional[int] = 1,
        logging_level: Optional[int] = logging.WARNING,
        **config: Any,
    ) -> tuple:
        """Find the config that does best on ``data`` (EcoOptiGen); returns ``(best config, analysis)``.

        ``eval_func(responses, **instance)`` gives a dict of metrics for one data instance; ``metric`` is
        maximized (``mode="max"``) or minimized (``"min"``). ``inference_budget``: the most a config may cost
        per instance on average (USD); ``optimization_budget``: the most the whole search may spend (USD);
        ``num_samples``: the most configs tried (-1: until the optimization budget is spent). ``config``
        overrides ``default_search_space``: fixed values, ``flaml.tune`` domains, or lists of choices for
        ``prompt``, ``messages`` and ``stop``; ``config_list`` gives the endpoints. The best config goes to
        :meth:`create` / :meth:`test` as it is; ``analysis`` is flaml's ExperimentAnalysis.
        """
        setup = TuneSetup.build(
            cls.default_search_space, data, metric, mode, eval_func, inference_budget, optimization_budget, config
        )
        cls._setup = setup
        cls.optimization_budget = optimization_budget
        return run_tune(setup, cls._evaluate_create, num_samples, log_file_name, logging_level)

    @classmethod
    def _evaluate_create(cls, instance: Dict[str, Any], params: Dict[str, Any]) -> Union[Response, int]:
        params = dict(params)
        return cls._create(
            instance,
            True,
            params.pop("config_list", None),
            None,
            False,
            params.pop("allow_format_str_template", False),
            params,
        )

    @classmethod
    def eval(cls, config: Dict[str, Any], prune: bool = True, eval_only: bool = False) -> Dict[str, Any]:
        """Evaluate a point of the search space on the data of the last :meth:`tune` (its metrics, ``cost``
        and ``inference_cost``). ``prune``: stop early once the config is over the inference budget;
        ``eval_only``: ignore the optimization budget."""
        if cls._setup is None:
            raise RuntimeError("Completion.eval evaluates a point of the last tune(); call tune(...) first.")
        return evaluate(cls._setup, config, cls._evaluate_create, prune=prune, eval_only=eval_only)

    _eval = eval

    @classmethod
    def test(
        cls,
        data: List[Dict[str, Any]],
        eval_func: Optional[Callable[..., Dict[str, Any]]] = None,
        use_cache: Optional[bool] = True,
        agg_method: Union[str, Callable[..., Any], Dict[str, Any]] = "avg",
        return_responses_and_per_instance_result: bool = False,
        logging_level: Optional[int] = logging.WARNING,
        **config: Any,
    ) -> Any:
        """Evaluate ``config`` on every instance of ``data``: the aggregated metrics (``agg_method``: "avg",
        "median", a function of a list, or a dict of them per metric) and the total ``cost``.

        ``eval_func`` defaults to the one given to the last :meth:`tune`. With
        ``return_responses_and_per_instance_result`` the result is ``(aggregated, per_instance, responses)``.
        """
        if eval_func is None:
            eval_func = cls._setup.eval_func if cls._setup is not None else None
        if eval_func is None:
            raise ValueError("Completion.test needs an eval_func (or a previous tune() whose eval_func it reuses).")
        previous = logger.level
        logger.setLevel(logging_level or logging.WARNING)
        try:
            params = dict(config)
            config_list = params.pop("config_list", None)
            allow_format = params.pop("allow_format_str_template", False)
            results: List[Dict[str, Any]] = []
            responses: List[List[Any]] = []
            cost = 0.0
            for instance in data:
                response = cls._create(instance, use_cache, config_list, None, True, allow_format, params)
                assert isinstance(response, dict)
                cost += response["cost"]
                texts = cls.extract_text_or_function_call(response)
                responses.append(texts)
                results.append(eval_func(texts, **instance))
                logger.info("instance %d: %s", len(results), results[-1])
        finally:
            logger.setLevel(previous)
        summary = aggregate(results, agg_method)
        summary["cost"] = cost
        if return_responses_and_per_instance_result:
            return summary, results, responses
        return summary

    # --------------------------------------------------------------------------------------- logging --
    @classmethod
    def start_logging(
        cls, history_dict: Optional[Dict[Any, Any]] = None, compact: Optional[bool] = True, reset_counter: bool = True
    ) -> None:
        """Log every create() into ``history_dict`` (a new dict when None); read it as ``logged_history``.

        Compact: one entry per conversation (keyed by its messages), with ``created_at``, ``cost`` and
        ``token_count`` lists. Not compact: one entry per call, ``{"request": ..., "response": ...}``.
        """
        Completion._usage_log = UsageLog.start(Completion._usage_log, history_dict, bool(compact), reset_counter)

    @classmethod
    def stop_logging(cls) -> None:
        """Stop logging; the history logged so far stays readable in ``logged_history``."""
        if Completion._usage_log is not None:
            Completion._usage_log.active = False

    @classmethod
    def print_usage_summary(cls) -> Dict[str, Any]:
        """Print (and return) the total cost and the tokens per model of the logged calls."""
        from ..io.base import IOStream

        stream = IOStream.get_default()
        if Completion._usage_log is None:
            stream.print("No usage logged: call Completion.start_logging() first.", flush=True)
            return {}
        summary = Completion._usage_log.summary()
        stream.print(f"Total cost: {round(summary['total_cost'], 5)}", flush=True)
        for model, counts in summary["token_count"].items():
            stream.print(
                f"Token count summary for model {model}: prompt tokens: {counts['prompt_tokens']}, "
                f"completion tokens: {counts['completion_tokens']}, total tokens: {counts['total_tokens']}",
                flush=True,
            )
        return summary


class ChatCompletion(Completion):
    """``Completion`` for chat models: a ``prompt`` is sent as one user message."""

    _search_models = ["gpt-3.5-turbo", "gpt-4"]

    @classmethod
    def _uses_chat(cls, model: Optional[str]) -> bool:
        return True


def _is_rate_limit_or_timeout(err: BaseException) -> bool:
    if isinstance(err, TimeoutError):
        return True
    import openai

    return isinstance(err, (openai.RateLimitError, openai.APITimeoutError))
