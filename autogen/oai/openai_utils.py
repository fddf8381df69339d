"""Config-list helpers: load, build and filter the lists of endpoint configs ``OpenAIWrapper`` takes."""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path
from typing import Any, Optional, Union

from ..exception_utils import ConfigAssertionError, ConfigError
from .api_keys import is_valid_api_key  # the classic import path
from .completion_flow import NON_CACHE_KEYS, get_key
from .model_prices import OAI_PRICE1K

__all__ = [
    "DEFAULT_AZURE_API_VERSION",
    "OAI_PRICE1K",
    "config_list_from_dotenv",
    "config_list_from_json",
    "config_list_from_models",
    "config_list_gpt4_gpt35",
    "config_list_openai_aoai",
    "filter_config",
    "get_config",
    "get_config_list",
    "get_key",
    "is_valid_api_key",
    "NON_CACHE_KEY",
    "create_gpt_vector_store",
    "detect_gpt_assistant_api_version",
]

# Classic name: the config keys left out of the cache key (credentials and endpoints, not the request).
NON_CACHE_KEY = sorted(NON_CACHE_KEYS)

# Classic Assistants API helpers; they live with the GPTAssistantAgent and are imported on first use.
_ASSISTANT_HELPERS = ("retrieve_assistants_by_name", "create_gpt_assistant", "update_gpt_assistant")


def __getattr__(name: str) -> Any:
    if name in _ASSISTANT_HELPERS:
        from ..agentchat.contrib import assistant_utils

        return getattr(assistant_utils, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def detect_gpt_assistant_api_version() -> str:
    """The Assistants API version the installed openai SDK speaks: "v1" below openai 1.21, else "v2"."""
    from importlib.metadata import version

    from packaging.version import Version

    return "v1" if Version(version("openai")) < Version("1.21") else "v2"


def create_gpt_vector_store(client: Any, name: str, fild_ids: list[str]) -> Any:
    """Create the vector store ``name`` holding the uploaded files ``fild_ids`` (the classic parameter name)
    with ``client`` (an ``openai.OpenAI``), wait until the files are indexed and return the vector store.

    Raises ValueError when the file batch fails or is cancelled.
    """
    stores = getattr(client, "vector_stores", None) or client.beta.vector_stores
    vector_store = stores.create(name=name)
    batch = stores.file_batches.create_and_poll(vector_store_id=vector_store.id, file_ids=list(fild_ids))
    if batch.status != "completed":
        counts = getattr(batch, "file_counts", None)
        raise ValueError(
            f"Failed to upload files to vector store {vector_store.id!r}: the file batch ended with status "
            f"{batch.status!r} (file counts: {counts}). Check that the file ids exist and were uploaded with "
            "purpose='assistants'."
        )
    return vector_store


logger = logging.getLogger(__name__)

DEFAULT_AZURE_API_VERSION = "2024-02-01"


def get_config_list(
    api_keys: list[str],
    base_urls: Optional[list[str]] = None,
    api_type: Optional[str] = None,
    api_version: Optional[str] = None,
) -> list[dict[str, Any]]:
    """One config per non-blank API key, paired with ``base_urls`` by position."""
    if base_urls is not None and len(api_keys) != len(base_urls):
        raise ConfigAssertionError(
            f"The length of api_keys must match the length of base_urls: got {len(api_keys)} api_keys and "
            f"{len(base_urls)} base_urls; give one base_url per key."
        )
    configs = []
    for i, api_key in enumerate(api_keys):
        if not api_key or not api_key.strip():
            continue
        config: dict[str, Any] = {"api_key": api_key.strip()}
        if base_urls:
            config["base_url"] = base_urls[i].strip()
        if api_type:
            config["api_type"] = api_type
        if api_version:
            config["api_version"] = api_version
        configs.append(config)
    return configs


def _read_into_env(var: str, path: Path, what: str) -> None:
    if var in os.environ:
        return
    try:
        os.environ[var] = path.read_text().strip()
    except FileNotFoundError:
        logger.info(
            "%s is not found in os.environ and %s is not found in the specified path. You can specify the %s in the "
            "config_list. (Looked for %s.)",
            var,
            path.name,
            what,
            path,
        )


def config_list_openai_aoai(
    key_file_path: Optional[str] = ".",
    openai_api_key_file: Optional[str] = "key_openai.txt",
    aoai_api_key_file: Optional[str] = "key_aoai.txt",
    openai_api_base_file: Optional[str] = "base_openai.txt",
    aoai_api_base_file: Optional[str] = "base_aoai.txt",
    exclude: Optional[str] = None,
) -> list[dict[str, Any]]:
    """Configs for OpenAI and Azure OpenAI from environment variables, or from key files when they are unset.

    OPENAI_API_KEY / OPENAI_API_BASE and AZURE_OPENAI_API_KEY / AZURE_OPENAI_API_BASE may hold several
    values, one per line. ``exclude`` is "openai" or "aoai" to leave that provider out.
    """
    root = Path(key_file_path or ".")
    if exclude != "openai":
        if openai_api_key_file:
            _read_into_env("OPENAI_API_KEY", root / openai_api_key_file, "api_key")
        if openai_api_base_file:
            _read_into_env("OPENAI_API_BASE", root / openai_api_base_file, "base_url")
    if exclude != "aoai":
        if aoai_api_key_file:
            _read_into_env("AZURE_OPENAI_API_KEY", root / aoai_api_key_file, "api_key")
        if aoai_api_base_file:
            _read_into_env("AZURE_OPENAI_API_BASE", root / aoai_api_base_file, "base_url")

    configs: list[dict[str, Any]] = []
    if exclude != "openai":
        keys = os.environ.get("OPENAI_API_KEY", "").split("\n")
        bases_text = os.environ.get("OPENAI_API_BASE")
        bases = bases_text.split("\n") if bases_text else None
        if bases is not None and len(bases) != len(keys):
            bases = None if len(bases) != 1 else bases * len(keys)
        configs += get_config_list(keys, base_urls=bases)
    if exclude != "aoai":
        keys = os.environ.get("AZURE_OPENAI_API_KEY", "").split("\n")
        bases = os.environ.get("AZURE_OPENAI_API_BASE", "").split("\n")
        if len(bases) == 1 and len(keys) > 1:
            bases = bases * len(keys)
        if len(bases) == len(keys):
            configs += get_config_list(keys, base_urls=bases, api_type="azure", api_version=DEFAULT_AZURE_API_VERSION)
        else:
            logger.warning(
                "AZURE_OPENAI_API_KEY has %d lines but AZURE_OPENAI_API_BASE has %d; skipping Azure configs.",
                len(keys),
                len(bases),
            )
    return configs


def config_list_from_models(
    key_file_path: Optional[str] = ".",
    openai_api_key_file: Optional[str] = "key_openai.txt",
    aoai_api_key_file: Optional[str] = "key_aoai.txt",
    aoai_api_base_file: Optional[str] = "base_aoai.txt",
    exclude: Optional[str] = None,
    model_list: Optional[list[str]] = None,
) -> list[dict[str, Any]]:
    """``config_list_openai_aoai`` with one copy of each config per model of ``model_list``."""
    configs = config_list_openai_aoai(
        key_file_path=key_file_path,
        openai_api_key_file=openai_api_key_file,
        aoai_api_key_file=aoai_api_key_file,
        aoai_api_base_file=aoai_api_base_file,
        exclude=exclude,
    )
    if model_list:
        configs = [{**config, "model": model} for model in model_list for config in configs]
    return configs


def config_list_gpt4_gpt35(
    key_file_path: Optional[str] = ".",
    openai_api_key_file: Optional[str] = "key_openai.txt",
    aoai_api_key_file: Optional[str] = "key_aoai.txt",
    aoai_api_base_file: Optional[str] = "base_aoai.txt",
    exclude: Optional[str] = None,
) -> list[dict[str, Any]]:
    """Configs for gpt-4 then gpt-3.5-turbo on every available endpoint."""
    return config_list_from_models(
        key_file_path,
        openai_api_key_file,
        aoai_api_key_file,
        aoai_api_base_file,
        exclude,
        model_list=["gpt-4", "gpt-3.5-turbo"],
    )


def _matches(value: Any, wanted: Any, key_present: bool) -> bool:
    """Whether a config's value satisfies the filter values (a list of accepted values, or one value)."""
    accepted = wanted if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
    if not key_present or value is None:
        return None in accepted
    if isinstance(value, (list, tuple, set)):  # e.g. tags: any tag may match
        return any(v in accepted for v in value)
    return value in accepted


def filter_config(
    config_list: list[dict[str, Any]], filter_dict: Optional[dict[str, Any]], exclude: bool = False
) -> list[dict[str, Any]]:
    """The configs whose values are among the accepted values for every key of ``filter_dict``.

    Values are lists of accepted values (a single value is accepted too). A config's list value
    (``tags``) matches when any of its items is accepted; ``None`` among the accepted values matches
    configs without the key. With ``exclude=True`` a config is kept only when it matches none of the keys (as
    classic 0.2.35: ``{"model": ["gpt-4"], "api_type": ["azure"]}`` drops every gpt-4 config and every Azure one).
    """
    if not filter_dict:
        return config_list
    return [
        config
        for config in config_list
        if all(_matches(config.get(key), wanted, key in config) != exclude for key, wanted in filter_dict.items())
    ]


class ConfigJSONError(ConfigError, json.JSONDecodeError):
    """A config list that is not JSON: a ``json.JSONDecodeError`` as in classic 0.2 (same ``msg``, ``doc``, ``pos``),
    whose message names the source and the expected shape."""

    def __init__(self, message: str, err: json.JSONDecodeError) -> None:
        json.JSONDecodeError.__init__(self, err.msg, err.doc, err.pos)
        self.args = (message,)


class ConfigFileNotFoundError(FileNotFoundError):
    """A config-list file that does not exist: classic's ``[Errno 2] No such file or directory: 'PATH'`` (with its
    ``errno``, ``strerror`` and ``filename``), then what to do."""

    def __init__(self, path: str, guidance: str) -> None:
        super().__init__(errno.ENOENT, os.strerror(errno.ENOENT), path)
        self.guidance = guidance

    def __str__(self) -> str:
        return f"{super().__str__()}. {self.guidance}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.filename, self.guidance))


def _parse_config_json(text: str, source: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        message = (  # classic's text first (the JSONDecodeError's own)
            f"{err}. {source} is not valid JSON; "
            'it should hold a list of configs such as [{"model": "gpt-4o", "api_key": "..."}].'
        )
        raise ConfigJSONError(message, err) from err
    if not isinstance(data, list):
        raise ConfigError(
            f"{source} must hold a JSON list of configs, but it holds a {type(data).__name__}. "
            'Wrap the config in a list: [{"model": "gpt-4o", "api_key": "..."}].'
        )
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: config {i} must be a JSON object, got {type(entry).__name__}: {entry!r}")
    return data


def config_list_from_json(
    env_or_file: str,
    file_location: Optional[str] = "",
    filter_dict: Optional[dict[str, Union[list[Union[str, None]], set[Union[str, None]]]]] = None,
) -> list[dict[str, Any]]:
    """A config list from the environment variable ``env_or_file`` (JSON text or a file path) or,
    when no such variable is set, from the file ``file_location/env_or_file``; then filtered."""
    env_value = os.environ.get(env_or_file)
    if env_value:
        if os.path.exists(env_value):
            source = f"The file {env_value!r} (named by the environment variable {env_or_file})"
            text = Path(env_value).read_text()
        else:
            source = f"The environment variable {env_or_file} (not the path of an existing file, so read as JSON)"
            text = env_value
    else:
        path = os.path.join(file_location, env_or_file) if file_location else env_or_file
        if not os.path.exists(path):
            raise ConfigFileNotFoundError(
                path,
                f"No config list found: there is no environment variable {env_or_file!r} and no file {path!r}. "
                "Create the file (a JSON list of configs) or set the variable to the JSON or to a file path.",
            )
        source = f"The file {path!r}"
        text = Path(path).read_text()
    return filter_config(_parse_config_json(text, source), filter_dict)


def get_config(
    api_key: Optional[str],
    base_url: Optional[str] = None,
    api_type: Optional[str] = None,
    api_version: Optional[str] = None,
) -> dict[str, Any]:
    """One config; ``base_url``, ``api_type`` and ``api_version`` may name environment variables holding them."""
    config: dict[str, Any] = {"api_key": api_key}
    if base_url:
        config["base_url"] = os.getenv(base_url, default=base_url)
    if api_type:
        config["api_type"] = os.getenv(api_type, default=api_type)
    if api_version:
        config["api_version"] = os.getenv(api_version, default=api_version)
    return config


def config_list_from_dotenv(
    dotenv_file_path: Optional[str] = None,
    model_api_key_map: Optional[dict[str, Any]] = None,
    filter_dict: Optional[dict[str, Union[list[Union[str, None]], set[Union[str, None]]]]] = None,
) -> list[dict[str, Any]]:
    """Configs built from a .env file (or the environment) and a map of model -> API-key variable.

    ``model_api_key_map`` values are the name of the variable holding the key, or a dict with
    ``api_key_env_var`` and other config fields (``base_url``, ``api_type``, ``api_version``, which
    may themselves name variables). gpt-4 and gpt-3.5-turbo default to OPENAI_API_KEY.
    Models whose key is missing are skipped with a warning.
    """
    from dotenv import find_dotenv, load_dotenv

    if dotenv_file_path:
        path = Path(dotenv_file_path)
        if path.exists():
            load_dotenv(path)
        else:
            logger.warning("The specified .env file %s does not exist. Using the environment variables only.", path)
    else:
        found = find_dotenv(usecwd=True)
        if found:
            load_dotenv(found)
        else:
            logger.warning("No .env file found. Loading configurations from environment variables.")

    key_map: dict[str, Any] = dict(model_api_key_map or {})
    for model in ("gpt-4", "gpt-3.5-turbo"):
        key_map.setdefault(model, "OPENAI_API_KEY")

    configs = []
    for model, spec in key_map.items():
        if isinstance(spec, str):
            config = get_config(api_key=os.getenv(spec))
        elif isinstance(spec, dict):
            fields = {k: v for k, v in spec.items() if k != "api_key_env_var"}
            config = get_config(api_key=os.getenv(spec.get("api_key_env_var", "OPENAI_API_KEY")), **fields)
        else:
            logger.warning("Unsupported type %s for model %s configuration; skipping it.", type(spec), model)
            continue
        if not config.get("api_key") or not str(config["api_key"]).strip():
            logger.warning(
                "API key not found or empty for model %s. Please ensure path to .env file is correct. Skipping it.",
                model,
            )
            continue
        config["model"] = model
        configs.append(config)
    configs = filter_config(configs, filter_dict)
    if not configs:
        logger.error("No configurations loaded.")
    else:
        logger.info("Models available: %s", [c["model"] for c in configs])
    return configs
