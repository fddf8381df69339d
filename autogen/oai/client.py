"""``OpenAIWrapper``: one object over a list of model endpoints, tried in order.

Importing this module does not import openai (that happens when a wrapper is built).
The decision logic of ``create`` and ``a_create`` lives once, in ``completion_flow``.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

from .._flow import Flow, flow_backed, run_async, run_sync
from .completion_flow import LEGACY_CACHE_DIR, LEGACY_DEFAULT_CACHE_SEED, create_steps, runtime_logger
from .config import AUTOGEN_ONLY_KEYS, CLIENT_KWARGS, ConfigEntry, prepare_config_list
from .model_client import ModelClient, PlaceHolderClient
from .model_prices import OAI_PRICE1K
from .openai_client import OpenAIClient
from .provider_registry import PROVIDER_CLIENTS, make_provider_client
from .templating import instantiate as _instantiate
from .usage import format_usage_summary, update_usage_summary

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

    from .anthropic import AnthropicClient as AnthropicClient
    from .cohere import CohereClient as CohereClient
    from .gemini import GeminiClient as GeminiClient
    from .groq import GroqClient as GroqClient
    from .mistral import MistralAIClient as MistralAIClient
    from .together import TogetherClient as TogetherClient

__all__ = [
    "OpenAIWrapper",
    "ModelClient",
    "OpenAIClient",
    "PlaceHolderClient",
    "LEGACY_DEFAULT_CACHE_SEED",
    "LEGACY_CACHE_DIR",
    "OAI_PRICE1K",
]

logger = logging.getLogger(__name__)

# Classic module constants. ``TOOL_ENABLED`` (openai>=1.1 supports tools) and ``ERROR`` (the ImportError when
# openai is missing, else None) are computed on first access, so that importing this module stays cheap.
OPEN_API_BASE_URL_PREFIX = "https://api.openai.com"

# Classic names of the provider clients, and the api_type each serves. ``<prefix>_import_exception`` is None when
# that provider's SDK imports, else the ImportError (classic AutoGen set them at import; here on first access).
_PROVIDER_NAMES = {
    "GeminiClient": "google",
    "AnthropicClient": "anthropic",
    "MistralAIClient": "mistral",
    "TogetherClient": "together",
    "GroqClient": "groq",
    "CohereClient": "cohere",
}
_IMPORT_EXCEPTIONS = {
    "gemini_import_exception": "google",
    "anthropic_import_exception": "anthropic",
    "mistral_import_exception": "mistral",
    "together_import_exception": "together",
    "groq_import_exception": "groq",
    "cohere_import_exception": "cohere",
}
# names classic code imported from this module although they live elsewhere
_REEXPORTS = {
    "Cache": ("..cache.cache", "Cache"),
    "IOStream": ("..io.base", "IOStream"),
    "get_current_ts": ("..logger.logger_utils", "get_current_ts"),
    "get_key": (".openai_utils", "get_key"),
    "is_valid_api_key": (".openai_utils", "is_valid_api_key"),
    "count_token": ("..token_count_utils", "count_token"),
    "log_chat_completion": ("..runtime_logging", "log_chat_completion"),
    "log_new_client": ("..runtime_logging", "log_new_client"),
    "log_new_wrapper": ("..runtime_logging", "log_new_wrapper"),
    "logging_enabled": ("..runtime_logging", "logging_enabled"),
}


def _sdk_import_error(api_type: str) -> Optional[ImportError]:
    from .client_utils import import_sdk
    from .provider_registry import client_class

    cls: Any = client_class(api_type)
    try:
        import_sdk(cls.SDK_MODULE, cls.EXTRA, cls.SDK_PACKAGE or None)
    except ImportError as err:
        return err
    return None


def _openai_version() -> Optional[tuple[int, int]]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("openai").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return None
    return major, minor


def __getattr__(name: str) -> Any:
    if name == "ERROR":
        try:
            import openai  # noqa: F401
        except ImportError:
            return ImportError('Please install openai>=1 to use autogen.OpenAIWrapper: pip install "openai>=1"')
        return None
    if name == "TOOL_ENABLED":
        found = _openai_version()
        return found is not None and found >= (1, 1)
    if name == "OPENAIVERSION":  # the installed openai version string (what the SDK reports as its version)
        from importlib.metadata import version

        return version("openai")
    if name in _PROVIDER_NAMES:
        from .provider_registry import client_class

        return client_class(_PROVIDER_NAMES[name])
    if name in _IMPORT_EXCEPTIONS:
        error = _sdk_import_error(_IMPORT_EXCEPTIONS[name])
        globals()[name] = error  # an SDK installed later in the process is not seen, as in classic AutoGen
        return error
    if name in _REEXPORTS:
        import importlib

        module, attr = _REEXPORTS[name]
        return getattr(importlib.import_module(module, __package__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class OpenAIWrapper:
    """A chat-completion client over a list of configs (endpoints), with caching, cost and fallback.

    ``OpenAIWrapper(config_list=[...], **base_config)``: the base config (e.g. ``temperature``,
    ``cache_seed``, ``timeout``) merges under every config entry. ``create`` tries the configs in
    order and moves on to the next on API errors, timeouts and rate limits.

    Retries: a config that has a next config to fall back to gets ``max_retries=0`` unless it sets
    ``max_retries`` itself (moving on to the next endpoint is the retry, and it is immediate); the
    last config keeps the openai SDK's default retries with back-off (see ``OpenAIClient.from_config``).
    """

    extra_kwargs = AUTOGEN_ONLY_KEYS
    openai_kwargs = CLIENT_KWARGS
    aopenai_kwargs = CLIENT_KWARGS  # classic name: the keys that configure the (async) openai client
    # classic streaming helpers (the classic package kept them on the wrapper too)
    _update_dict_from_chunk = OpenAIClient._update_dict_from_chunk
    _update_function_call_from_chunk = OpenAIClient._update_function_call_from_chunk
    _update_tool_calls_from_chunk = OpenAIClient._update_tool_calls_from_chunk

    def __init__(self, *, config_list: Optional[Sequence[dict[str, Any]]] = None, **base_config: Any):
        rl = runtime_logger()
        if rl is not None:
            rl.log_new_wrapper(self, {"config_list": config_list, "base_config": base_config})  # classic: its locals
        self._entries: list[ConfigEntry] = prepare_config_list(config_list, base_config)
        self._clients: list[Any] = [self._make_client(entry) for entry in self._entries]
        # classic attribute: the per-config settings merged into each create() call
        self._config_list: list[dict[str, Any]] = [entry.call_config for entry in self._entries]
        self.wrapper_id = id(self)
        self.total_usage_summary: Optional[dict[str, Any]] = None
        self.actual_usage_summary: Optional[dict[str, Any]] = None
        self._usage_lock = threading.Lock()

    def _make_client(self, entry: ConfigEntry) -> Any:
        if entry.custom_client is not None:
            logger.info(
                "Detected custom model client in config: %s, model client can not be used until "
                "register_model_client is called. (Config %d.)",
                entry.custom_client,
                entry.index,
            )
            return PlaceHolderClient(entry.listed)
        if entry.api_type in PROVIDER_CLIENTS:  # anthropic, google, ollama, ...: a client of its own
            client = make_provider_client(entry)
        else:
            client = OpenAIClient.from_config(entry)
        rl = runtime_logger()
        if rl is not None:
            rl.log_new_client(client, self, dict(entry.client_kwargs))
        return client

    # ----- custom model clients
    def register_model_client(self, model_client_cls: type, **kwargs: Any) -> None:
        """Supply the class for configs that name it in ``model_client_cls``.

        Each such config gets an instance ``model_client_cls(config, **kwargs)``. Registering a class
        that no config names is an error.
        """
        name = model_client_cls.__name__
        replaced = False
        already = False
        for i, client in enumerate(self._clients):
            if isinstance(client, PlaceHolderClient):
                if client.class_name == name:
                    self._clients[i] = model_client_cls(client.config, **kwargs)
                    replaced = True
            elif isinstance(client, model_client_cls):
                already = True
        if replaced:
            return
        if already:
            logger.warning(
                "Model client %s is already registered. Add more entries in the config_list to use multiple model "
                "clients.",
                name,
            )
            return
        from .errors import ConfigError

        raise ConfigError(
            f'Model client "{name}" is being registered but was not found in the config_list. Please make sure to '
            f'include an entry in the config_list with "model_client_cls": "{name}" (in each config that should use it).'
        )

    # ----- completions
    def _create_flow(self, **config: Any) -> Flow[ChatCompletion]:
        # An agent's reply yields Call(client, "create", ...): the marks below let its driver run this flow in
        # place, one coroutine chain for the whole turn instead of a nested driver per call.
        return create_steps(self._clients, self._entries, config, self._update_usage, self.wrapper_id)  # type: ignore[return-value]

    @flow_backed(_create_flow)
    def create(self, **config: Any) -> ChatCompletion:
        """A completion for ``messages`` (or a legacy ``prompt``) from the first config that works.

        Besides the chat-completion parameters: ``context`` and ``allow_format_str_template``
        (templated messages), ``filter_func(context=..., response=...)``, ``cache`` (an AbstractCache)
        or ``cache_seed`` (disk cache; None disables caching), and ``agent`` (for logging).
        The response carries ``cost``, ``config_id``, ``pass_filter`` and ``message_retrieval_function``.
        """
        return run_sync(self._create_flow(**config))

    @flow_backed(_create_flow)
    async def a_create(self, **config: Any) -> ChatCompletion:
        """``create`` for asyncio: the same logic, over the async openai client."""
        return await run_async(self._create_flow(**config))

    @classmethod
    def instantiate(
        cls,
        template: Union[str, Callable[[dict[str, Any]], str], None],
        context: Optional[dict[str, Any]] = None,
        allow_format_str_template: bool = False,
    ) -> Any:
        return _instantiate(template, context, allow_format_str_template)

    @classmethod
    def extract_text_or_completion_object(cls, response: Any) -> list[Any]:
        """The text of each choice, or the message object when it carries tool/function calls."""
        return response.message_retrieval_function(response)  # type: ignore[no-any-return]

    # ----- usage
    def _update_usage(self, actual_usage: Optional[dict[str, Any]], total_usage: Optional[dict[str, Any]]) -> None:
        with self._usage_lock:
            if total_usage is not None:
                self.total_usage_summary = update_usage_summary(self.total_usage_summary, total_usage)
            if actual_usage is not None:
                self.actual_usage_summary = update_usage_summary(self.actual_usage_summary, actual_usage)

    def print_usage_summary(self, mode: Union[str, list[str]] = ["actual", "total"]) -> None:  # noqa: B006
        """Print the usage: "actual" (calls really made), "total" (including cache hits), or both."""
        from ..io.base import IOStream

        stream = IOStream.get_default()
        for line in format_usage_summary(self.actual_usage_summary, self.total_usage_summary, mode):
            stream.print(line, flush=True)

    def clear_usage_summary(self) -> None:
        self.total_usage_summary = None
        self.actual_usage_summary = None

    def __repr__(self) -> str:
        return f"OpenAIWrapper({[entry.description for entry in self._entries]})"
