"""Enhanced inference: ``OpenAIWrapper``, the ``ModelClient`` protocol and config-list helpers.

Names resolve lazily, so ``import autogen.oai`` does not import openai.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "OpenAIWrapper": "autogen.oai.client",
    "Completion": "autogen.oai.completion",
    "ChatCompletion": "autogen.oai.completion",
    "ModelClient": "autogen.oai.model_client",
    "OpenAIClient": "autogen.oai.openai_client",
    "get_config_list": "autogen.oai.openai_utils",
    "config_list_gpt4_gpt35": "autogen.oai.openai_utils",
    "config_list_openai_aoai": "autogen.oai.openai_utils",
    "config_list_from_models": "autogen.oai.openai_utils",
    "config_list_from_json": "autogen.oai.openai_utils",
    "config_list_from_dotenv": "autogen.oai.openai_utils",
    "filter_config": "autogen.oai.openai_utils",
    "is_valid_api_key": "autogen.oai.openai_utils",
    "Cache": "autogen.cache.cache",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'autogen.oai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
