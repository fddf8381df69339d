"""How an llm_config becomes per-endpoint settings: validation and splitting of config entries.

Every key of a config entry (or of the base config, which merges under each entry) is one of:

* an openai client setting (``CLIENT_KWARGS``: api_key, base_url, timeout, max_retries, ...),
* an AutoGen-only setting (``AUTOGEN_ONLY_KEYS``: cache_seed, filter_func, tags, price, ...), or
* a request parameter (model, temperature, tools, ... and any unknown key), sent in the request body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from ..exception_utils import ConfigAssertionError, ConfigError
from .provider_registry import PROVIDER_CLIENTS

__all__ = [
    "AUTOGEN_ONLY_KEYS",
    "CLIENT_KWARGS",
    "ConfigEntry",
    "coerce_max_retries",
    "coerce_timeout",
    "prepare_config_list",
    "separate_client_config",
    "separate_create_config",
    "describe_endpoint",
]

AUTOGEN_ONLY_KEYS: frozenset[str] = frozenset(
    {
        "agent",
        "cache",
        "cache_seed",
        "filter_func",
        "allow_format_str_template",
        "context",
        "api_version",
        "api_type",
        "tags",
        "price",
        "model_client_cls",
    }
)

CLIENT_KWARGS: frozenset[str] = frozenset(
    {
        "api_key",
        "admin_api_key",
        "organization",
        "project",
        "base_url",
        "websocket_base_url",
        "webhook_secret",
        "timeout",
        "max_retries",
        "default_headers",
        "default_query",
        "http_client",
        "azure_endpoint",
        "azure_deployment",
        "azure_ad_token",
        "azure_ad_token_provider",
        "workload_identity",
        "_strict_response_validation",
    }
)


def separate_client_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(openai client settings, everything else)."""
    client = {k: v for k, v in config.items() if k in CLIENT_KWARGS}
    rest = {k: v for k, v in config.items() if k not in CLIENT_KWARGS}
    return client, rest


def separate_create_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(request parameters, AutoGen-only settings)."""
    create = {k: v for k, v in config.items() if k not in AUTOGEN_ONLY_KEYS}
    extra = {k: v for k, v in config.items() if k in AUTOGEN_ONLY_KEYS}
    return create, extra


def normalize_api_type(api_type: Optional[str]) -> str:
    """ "openai", "azure", or a provider with a client of its own (``provider_registry.PROVIDER_CLIENTS``:
    "anthropic", "google", "ollama", ...); other OpenAI-compatible api_types are served as "openai"."""
    if api_type is None or api_type in ("openai", "open_ai", ""):
        return "openai"
    if not isinstance(api_type, str):
        raise ConfigError(f"'api_type' must be a string such as 'openai' or 'azure', got {api_type!r}")
    if api_type.startswith("azure"):
        return "azure"
    if api_type in PROVIDER_CLIENTS:
        return api_type
    return "openai"


def describe_endpoint(index: int, config: Mapping[str, Any]) -> str:
    """A short, secret-free description of a config for error messages."""
    model = config.get("model")
    if config.get("model_client_cls"):
        return f"config {index} (model {model!r}, custom client {config['model_client_cls']})"
    api_type = config.get("api_type")
    kind = f"{api_type} " if api_type and api_type not in ("openai", "open_ai") else ""
    where = config.get("base_url") or config.get("azure_endpoint") or config.get("client_host")
    if not where:
        if api_type in PROVIDER_CLIENTS:
            return f"config {index} (model {model!r} at {api_type}'s default endpoint)"
        where = "https://api.openai.com/v1"
    return f"config {index} (model {model!r} at {kind}{where})"


@dataclass
class ConfigEntry:
    """One config of the list, split and ready to use."""

    index: int
    config: dict[str, Any]  # base config merged with the entry
    client_kwargs: dict[str, Any]  # openai client settings
    call_config: dict[str, Any]  # request parameters and AutoGen-only settings, merged over create() params
    api_type: str = "openai"
    description: str = ""
    is_last: bool = False
    custom_client: Optional[str] = field(default=None)
    # what a custom model client receives, as classic: the entry as the list gave it (the base config's settings
    # reach it through create()'s params); with no list, the base config
    listed: dict[str, Any] = field(default_factory=dict)


def _classic_no_model(api_type: Any) -> str:
    """Classic 0.2.35's sentence for a provider config without a model ("" for other api_types)."""
    if not isinstance(api_type, str) or api_type not in PROVIDER_CLIENTS:
        return ""
    from .provider_registry import client_class

    return str(getattr(client_class(api_type), "CLASSIC_NO_MODEL", ""))


def _check_entry(index: int, config: Mapping[str, Any], from_list: bool) -> None:
    custom = config.get("model_client_cls")
    if custom is not None and not isinstance(custom, str):
        raise ConfigError(
            f"config {index}: 'model_client_cls' must be the class name as a string (e.g. \"{getattr(custom, '__name__', 'MyClient')}\"), "
            "then call register_model_client(model_client_cls=TheClass)."
        )
    model = config.get("model")
    if model is None or model == "":
        # an OpenAI/Azure config may leave the model to create(model=...), as classic allowed (config_list_openai_aoai
        # gives such configs); create() names the config when neither gives one. Classic's provider clients asserted
        # a model when the wrapper was built: the same sentence and AssertionError here.
        classic = _classic_no_model(config.get("api_type"))
        if from_list and custom is None and classic:
            raise ConfigAssertionError(
                f"{classic} config {index} of the config list has no 'model'. Every config needs one, e.g. "
                '{"model": "...", "api_key": "..."} (or give "model" once in the llm_config next to config_list).'
            )
    elif not isinstance(model, str):
        raise ConfigError(f"config {index}: 'model' must be a string, got {type(model).__name__} {model!r}")


def _rename_api_base(config: dict[str, Any]) -> None:
    """``api_base`` (openai<1's name, still in old config files) is the endpoint: ``base_url``. Classic 0.2 sent it
    as a request argument and failed with a TypeError; left in the body, the request would go to api.openai.com
    with the key meant for that endpoint."""
    if "api_base" in config:
        api_base = config.pop("api_base")
        config.setdefault("base_url", api_base)


def _number(value: str) -> Optional[float]:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def coerce_timeout(value: Any, where: str) -> Any:
    """``timeout`` as the SDK takes it: seconds as a number (numeric strings such as "60" are converted, as JSON
    and environment configs often give them), None, or an ``httpx.Timeout``. Anything else is a ConfigError."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0):
        return value
    if isinstance(value, str) and (number := _number(value)) is not None and number > 0:
        return number
    if type(value).__name__ == "Timeout" and type(value).__module__.startswith("httpx"):
        return value
    raise ConfigError(f"{where}: 'timeout' must be a positive number of seconds (e.g. 60 or \"60\"), got {value!r}.")


def coerce_max_retries(value: Any, where: str) -> Any:
    """``max_retries`` as a whole number >= 0 (numeric strings such as "3" are converted); else a ConfigError."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    number = _number(value) if isinstance(value, str) else value if isinstance(value, float) else None
    if number is not None and number >= 0 and number == int(number):
        return int(number)
    raise ConfigError(f"{where}: 'max_retries' must be a whole number >= 0 (e.g. 2 or \"2\"), got {value!r}.")


def _coerce_client_numbers(config: dict[str, Any], where: str) -> dict[str, Any]:
    if "timeout" in config:
        config["timeout"] = coerce_timeout(config["timeout"], where)
    if "max_retries" in config:
        config["max_retries"] = coerce_max_retries(config["max_retries"], where)
    return config


def prepare_config_list(
    config_list: Optional[Sequence[Mapping[str, Any]]], base_config: Mapping[str, Any]
) -> list[ConfigEntry]:
    """Validate and split the configs. ``config_list=None`` means the base config is the only config."""
    if config_list is None:
        entries: list[Mapping[str, Any]] = [{}]
        from_list = False
    else:
        if isinstance(config_list, (str, bytes, Mapping)) or not isinstance(config_list, Sequence):
            raise ConfigError(
                f"config_list must be a list of dicts, got {type(config_list).__name__}. "
                "Load one from a file with autogen.config_list_from_json('OAI_CONFIG_LIST')."
            )
        if len(config_list) == 0:
            raise ConfigError(
                "config_list is empty, so there is no model to call. Give at least one config such as "
                '[{"model": "gpt-4o", "api_key": "..."}]; if it came from config_list_from_json / filter_config, '
                "check that the file exists and that the filter matches some entries."
            )
        entries = list(config_list)
        from_list = True
    prepared = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ConfigError(
                f"config {index} of the config list must be a dict, got {type(entry).__name__}: {entry!r}"
            )
        merged = _coerce_client_numbers({**base_config, **entry}, f"config {index}")
        _rename_api_base(merged)
        _check_entry(index, merged, from_list)
        client_kwargs, call_config = separate_client_config(merged)
        custom = merged.get("model_client_cls")
        api_type = "custom" if custom else normalize_api_type(merged.get("api_type"))
        prepared.append(
            ConfigEntry(
                index=index,
                config=merged,
                listed=dict(entry) if from_list and "model_client_cls" in entry else dict(merged),
                client_kwargs=client_kwargs,
                call_config=call_config,
                api_type=api_type,
                description=describe_endpoint(index, merged),
                is_last=index == len(entries) - 1,
                custom_client=custom,
            )
        )
    return prepared
