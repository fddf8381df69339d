"""The decision logic of ``OpenAIWrapper.create`` / ``a_create``, written once.

``create_steps`` is a generator holding every decision: config order, templates, cache lookup,
cost and usage, filter, fallback on errors. The only I/O it cannot do itself, calling a model
client, it hands to the project's one driver (:mod:`autogen._flow`) by yielding ``Call(client, "create",
params)``: ``run_sync`` calls ``client.create``; ``run_async`` awaits ``client.a_create`` (or runs ``create`` in a
worker thread for custom clients without one). The driver sends back the response or throws the error into it.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Optional

from .. import runtime_logging
from .._flow import Call, Flow
from ..exception_utils import ConfigError
from .config import ConfigEntry, separate_create_config
from .errors import InvalidResponseError, ModelClientNotRegisteredError, ProviderAPIError, ProviderTimeoutError
from .json_utils import stable_hash
from .lazy_completion import HIDDEN, LazyChatCompletion, set_hidden
from .model_client import PlaceHolderClient
from .model_prices import normalize_price
from .templating import instantiate, instantiate_messages

if TYPE_CHECKING:
    from ..cache.abstract_cache_base import AbstractCache

__all__ = ["create_steps", "get_key", "LEGACY_DEFAULT_CACHE_SEED"]

logger = logging.getLogger(__name__)

LEGACY_DEFAULT_CACHE_SEED = 41
LEGACY_CACHE_DIR = ".cache"

# request parameters that do not change the answer, so they stay out of cache keys
NON_CACHE_KEYS = frozenset(
    {
        "api_key",
        "base_url",
        "api_type",
        "api_version",
        "azure_ad_token",
        "azure_ad_token_provider",
        "credentials",
        "stream",
        "stream_options",
        "timeout",
        "max_retries",
        "extra_headers",
    }
)


def get_key(config: dict[str, Any]) -> str:
    """The cache key of a request: a SHA-256 of its canonical JSON, without non-semantic keys."""
    return stable_hash({k: v for k, v in config.items() if k not in NON_CACHE_KEYS})


# the request fields classic 0.2 left out of its cache keys
CLASSIC_NON_CACHE_KEYS = ("api_key", "base_url", "api_type", "api_version", "azure_ad_token", "azure_ad_token_provider",
                          "credentials")  # fmt: skip


def classic_key(request: dict[str, Any]) -> Optional[str]:
    """The key classic 0.2 stored this request's answer under (the request as JSON with sorted keys), so that a
    cache it filled (``.cache/<seed>``, Redis) still answers; None when the request is not plain JSON."""
    try:
        return json.dumps({k: v for k, v in request.items() if k not in CLASSIC_NON_CACHE_KEYS}, sort_keys=True)
    except (TypeError, ValueError):
        return None


def _cached(cache: Any, key: str, request: dict[str, Any]) -> Any:
    """The cached answer to ``request``: under our key, else under classic's (then kept under ours as well). The
    classic key encodes the whole request, so it is built only for a cache that may hold classic entries."""
    cached = cache.get(key, None)
    probe = getattr(cache, "holds_classic_keys", None)
    if cached is None and (probe is None or probe()):
        old = classic_key(request)
        cached = cache.get(old, None) if old is not None else None
        if cached is not None:
            cache.set(key, cached)
    return cached


UsageSink = Callable[[Optional[dict[str, Any]], Optional[dict[str, Any]]], None]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def runtime_logger() -> Any:
    """The runtime_logging module while logging is on, else None (one boolean check)."""
    return runtime_logging if runtime_logging.logging_enabled() else None


def _is_api_error(err: BaseException) -> bool:
    if isinstance(err, ProviderAPIError):  # raised by the non-OpenAI provider clients
        return True
    openai = sys.modules.get("openai")  # no openai error can exist if openai was never imported
    return openai is not None and isinstance(err, openai.APIError)


def _is_timeout(err: BaseException) -> bool:
    if isinstance(err, ProviderTimeoutError):
        return True
    openai = sys.modules.get("openai")
    return openai is not None and isinstance(err, openai.APITimeoutError)


def _reason(where: str, err: BaseException) -> str:
    text = str(getattr(err, "message", None) or err or "").strip()
    if text.startswith(where):  # our own errors already name the config
        text = text[len(where) :].strip()
    status = _status_not_in(err, text)
    if status:
        text = f"{status}: {text}"
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _status_not_in(err: BaseException, text: str) -> str:
    """ "HTTP <status>" of an API error whose text does not say it yet (the SDK's and ours do), else ""."""
    status = getattr(err, "status_code", None)
    return f"HTTP {status}" if status and "Error code" not in text and f"(HTTP {status})" not in text else ""


def _all_failed(failures: list[tuple[str, BaseException]]) -> BaseException:
    """The error to raise when every config failed: the last error, with a message naming each failure."""
    last_where, last = failures[-1]
    # classic raised the last config's own error unchanged: its text comes first (unless it is ours and already
    # names the config), then where the calls went
    own = str(getattr(last, "message", None) or last or "").strip()
    own_first = bool(own) and not own.startswith(last_where)
    if len(failures) > 1:
        details = "; ".join(f"{where}: {_reason(where, err)}" for where, err in failures)
        message = f"All {len(failures)} configs of the config list failed. {details}"
        message = f"{own} ({message})" if own_first else message
    elif own_first:
        status = _status_not_in(last, own)
        message = f"{own} (The LLM call failed: {last_where}, {type(last).__name__}{', ' + status if status else ''}.)"
    else:
        message = f"The LLM call failed. {last_where}: {_reason(last_where, last)}"
    if _is_timeout(last):
        message = (
            "OpenAI API call timed out. This could be due to congestion or too small a timeout value. The timeout "
            "can be specified by setting the 'timeout' value (in seconds) in the llm_config (if you are using "
            f"agents) or the OpenAIWrapper constructor (if you are using the OpenAIWrapper directly). {message}."
        )
        if not isinstance(last, ProviderTimeoutError):
            return TimeoutError(message)
        # a provider's timeout is a TimeoutError already, and the SDK's own (anthropic.APITimeoutError, ...), which
        # classic let through: raised itself, with the message above
    if hasattr(last, "message"):
        last.message = message  # type: ignore[attr-defined]
    last.args = (message,)
    return last


def _construct_params(create_config: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The request parameters with templates filled from ``context``."""
    prompt = create_config.get("prompt")
    messages = create_config.get("messages")
    if (prompt is None) == (messages is None):
        raise ConfigError(
            "Either prompt or messages should be in create config but not both. "
            "create() needs exactly one of 'messages' and 'prompt'."
        )
    if messages is not None and not isinstance(messages, list):
        raise ConfigError(f"'messages' must be a list of message dicts, got {type(messages).__name__}")
    context = extra.get("context")
    if not context:
        return create_config
    allow_format = bool(extra.get("allow_format_str_template", False))
    params = dict(create_config)
    if prompt is not None:
        params["prompt"] = instantiate(prompt, context, allow_format)
    else:
        params["messages"] = instantiate_messages(messages, context, allow_format)  # type: ignore[arg-type]
    return params


def _resolve_cache(extra: dict[str, Any]) -> Optional[AbstractCache]:
    """An explicit ``cache`` wins; else ``cache_seed`` (default 41) picks a pooled disk cache; None disables."""
    cache = extra.get("cache")
    if cache is not None:
        return cache  # type: ignore[no-any-return]
    seed = extra.get("cache_seed", LEGACY_DEFAULT_CACHE_SEED)
    if seed is None:
        return None
    from ..cache.cache_factory import CacheFactory

    return CacheFactory.cache_factory(seed, cache_path_root=LEGACY_CACHE_DIR)


def _attach(response: Any, client: Any, config_id: int) -> None:
    """Attach what callers (and filter functions) use; the retrieval function is kept out of
    pydantic's field dict so ``model_dump()`` / JSON of the response still work."""
    if type(response) is LazyChatCompletion:
        response.message_retrieval_function = client.message_retrieval  # set on the model, hidden, when it is built
    else:
        set_hidden(response, HIDDEN, client.message_retrieval)
    response.config_id = config_id


def _cost(client: Any, response: Any, price: Optional[tuple[float, float]]) -> float:
    if price is None:
        cost = client.cost(response)
        return cost if isinstance(cost, (int, float)) else float(cost)  # classic kept an int 0 (unpriced model) as is
    usage = client.get_usage(response) or {}
    return ((usage.get("prompt_tokens") or 0) * price[0] + (usage.get("completion_tokens") or 0) * price[1]) / 1000


@dataclass
class _Attempt:
    """One config's try at the request: everything decided before calling the client."""

    index: int
    client: Any
    entry: ConfigEntry
    request: dict[str, Any]
    extra: dict[str, Any]
    cache: Optional[AbstractCache]
    price: Optional[tuple[float, float]]
    invocation_id: str
    wrapper_id: int

    @classmethod
    def prepare(
        cls, index: int, client: Any, entry: ConfigEntry, params: dict[str, Any], invocation_id: str, wrapper_id: int
    ) -> _Attempt:
        # the config entry's settings win over create() params, as in classic AutoGen
        create_config, extra = separate_create_config({**params, **entry.call_config})
        if not create_config.get("model") and entry.custom_client is None:
            raise ConfigError(
                f"{entry.description} has no 'model': give it in the llm_config / config entry or to create(model=...)."
            )
        if entry.api_type == "azure" and isinstance(create_config.get("model"), str):
            create_config["model"] = create_config["model"].replace(".", "")  # Azure deployment names have no dots
        return cls(
            index=index,
            client=client,
            entry=entry,
            request=_construct_params(create_config, extra),
            extra=extra,
            cache=_resolve_cache(extra),
            price=normalize_price(extra.get("price")),
            invocation_id=invocation_id,
            wrapper_id=wrapper_id,
        )

    def passes(self, response: Any) -> bool:
        filter_func = self.extra.get("filter_func")
        return filter_func is None or bool(filter_func(context=self.extra.get("context"), response=response))

    def log(self, response: Any, is_cached: int, cost: float, start: str) -> None:
        rl = runtime_logger()
        if rl is not None:
            rl.log_chat_completion(
                invocation_id=self.invocation_id,
                client_id=id(self.client),
                wrapper_id=self.wrapper_id,
                agent=self.extra.get("agent"),
                request=self.request,
                response=response,
                is_cached=is_cached,
                cost=cost,
                start_time=start,
            )


def _check_registered(clients: list[Any]) -> None:
    missing = sorted({c.class_name for c in clients if isinstance(c, PlaceHolderClient)})
    if missing:
        raise ModelClientNotRegisteredError(
            f"Model client(s) {missing} are not activated. The config list names custom model client(s) {missing} "
            "that are not registered yet. Call "
            + ", ".join(f"register_model_client(model_client_cls={name})" for name in missing)
            + " on the wrapper (or the agent) before creating completions, or remove those configs."
        )


def create_steps(
    clients: list[Any],
    entries: list[ConfigEntry],
    params: dict[str, Any],
    on_usage: UsageSink,
    wrapper_id: int,
) -> Flow[Any]:
    """Try each config in order; return the first response that passes the filter (or the last one).

    ``on_usage(actual, total)`` receives each call's usage; a cache hit counts in the total only.
    """
    _check_registered(clients)
    logging_on = runtime_logger() is not None  # the ids and timestamps below only feed the runtime log
    invocation_id = str(uuid.uuid4()) if logging_on else ""
    failures: list[tuple[str, BaseException]] = []
    last = len(clients) - 1
    for i, (client, entry) in enumerate(zip(clients, entries)):
        attempt = _Attempt.prepare(i, client, entry, params, invocation_id, wrapper_id)

        key = None
        if attempt.cache is not None:
            key = get_key(attempt.request)
            start = _now() if logging_on else ""
            cached = _cached(attempt.cache, key, attempt.request)
            if cached is not None:
                if not hasattr(cached, "cost"):  # cached by an older version
                    cached.cost = _cost(client, cached, attempt.price)
                    attempt.cache.set(key, cached)
                attempt.log(cached, 1, cached.cost, start)
                _attach(cached, client, i)
                passed = attempt.passes(cached)
                if passed or i == last:
                    cached.pass_filter = passed
                    on_usage(None, client.get_usage(cached))
                    return cached
                continue

        start = _now() if logging_on else ""
        try:
            response = yield Call(client, "create", attempt.request)
        except Exception as err:
            if not (_is_api_error(err) or isinstance(err, InvalidResponseError)):
                raise  # not an endpoint failure (a bug, a bad request body): other configs would not help
            attempt.log(str(err), 0, 0.0, start)
            if getattr(err, "code", None) == "content_filter":
                raise  # the prompt itself was refused: other configs would refuse it too
            logger.debug("%s failed", entry.description, exc_info=True)
            failures.append((entry.description, err))
            if i == last:
                final = _all_failed(failures)
                if final is err:
                    raise
                raise final from err
            continue

        response.cost = _cost(client, response, attempt.price)
        usage = client.get_usage(response)
        on_usage(usage, dict(usage) if usage is not None else None)
        if attempt.cache is not None and key is not None:
            attempt.cache.set(key, response)  # before attaching the (unpicklable) retrieval function
        attempt.log(response, 0, response.cost, start)
        _attach(response, client, i)
        passed = attempt.passes(response)
        if passed or i == last:
            response.pass_filter = passed
            return response
    raise RuntimeError("unreachable: the config list is never empty")
