"""Enhanced inference: ``OpenAIWrapper``, the ``ModelClient`` protocol and config-list helpers.

Names resolve lazily, so ``import autogen.oai`` does not import openai.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..cache.cache import Cache
    from .client import OpenAIWrapper
    from .completion import ChatCompletion, Completion
    from .model_client import ModelClient
    from .openai_client import OpenAIClient
    from .openai_utils import (
        config_list_from_dotenv,
        config_list_from_json,
        config_list_from_models,
        config_list_gpt4_gpt35,
        config_list_openai_aoai,
        filter_config,
        get_config_list,
        is_valid_api_key,
    )

_EXPORTS: dict[str, str] = {
    "OpenAIWrapper": ".client",
    "Completion": ".completion",
    "ChatCompletion": ".completion",
    "ModelClient": ".model_client",
    "OpenAIClient": ".openai_client",
    "get_config_list": ".openai_utils",
    "config_list_gpt4_gpt35": ".openai_utils",
    "config_list_openai_aoai": ".openai_utils",
    "config_list_from_models": ".openai_utils",
    "config_list_from_json": ".openai_utils",
    "config_list_from_dotenv": ".openai_utils",
    "filter_config": ".openai_utils",
    "is_valid_api_key": ".openai_utils",
    "Cache": "..cache.cache",
}

__all__ = list(_EXPORTS)

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
