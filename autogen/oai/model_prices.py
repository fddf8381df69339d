"""Prices of OpenAI and Azure OpenAI chat models, in USD per 1,000 tokens (input, output).

``OAI_PRICE1K`` is the classic table (``autogen.oai.client.OAI_PRICE1K`` is this very dict): a price is an
(input, output) pair, or one number when both cost the same; entries users add are used too.

Dated model versions (``gpt-4o-2024-08-06``) resolve to the longest listed name that is a
prefix at a ``-`` boundary, unless the dated name is listed itself. Azure spellings
(``gpt-35-turbo``, ``gpt4``) are normalised first. Unknown models cost 0 with a one-time
warning; a ``price`` entry in the config overrides the table.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Mapping, Optional, Sequence, Tuple, Union

__all__ = ["OAI_PRICE1K", "get_price", "compute_cost", "normalize_price"]

logger = logging.getLogger(__name__)

Price = Tuple[float, float]
PriceEntry = Union[float, Price]  # a classic table entry: one price for both, or (input, output)

OAI_PRICE1K: dict[str, PriceEntry] = {
    # GPT-3.5 family
    "gpt-3.5-turbo": (0.0005, 0.0015),
    "gpt-3.5-turbo-0125": (0.0005, 0.0015),
    "gpt-3.5-turbo-1106": (0.001, 0.002),
    "gpt-3.5-turbo-0613": (0.0015, 0.002),
    "gpt-3.5-turbo-0301": (0.0015, 0.002),
    "gpt-3.5-turbo-16k": (0.003, 0.004),
    "gpt-3.5-turbo-16k-0613": (0.003, 0.004),
    "gpt-3.5-turbo-instruct": (0.0015, 0.002),
    # GPT-4 family
    "gpt-4": (0.03, 0.06),
    "gpt-4-0314": (0.03, 0.06),
    "gpt-4-0613": (0.03, 0.06),
    "gpt-4-32k": (0.06, 0.12),
    "gpt-4-32k-0314": (0.06, 0.12),
    "gpt-4-32k-0613": (0.06, 0.12),
    "gpt-4-1106-preview": (0.01, 0.03),
    "gpt-4-0125-preview": (0.01, 0.03),
    "gpt-4-turbo-preview": (0.01, 0.03),
    "gpt-4-vision-preview": (0.01, 0.03),
    "gpt-4-1106-vision-preview": (0.01, 0.03),
    "gpt-4-turbo": (0.01, 0.03),
    # GPT-4o family
    "gpt-4o": (0.0025, 0.01),
    "gpt-4o-2024-05-13": (0.005, 0.015),
    "gpt-4o-2024-08-06": (0.0025, 0.01),
    "gpt-4o-2024-11-20": (0.0025, 0.01),
    "chatgpt-4o-latest": (0.005, 0.015),
    "gpt-4o-mini": (0.00015, 0.0006),
    # GPT-4.1 / 4.5
    "gpt-4.1": (0.002, 0.008),
    "gpt-4.1-mini": (0.0004, 0.0016),
    "gpt-4.1-nano": (0.0001, 0.0004),
    "gpt-4.5-preview": (0.075, 0.15),
    # reasoning models
    "o1": (0.015, 0.06),
    "o1-preview": (0.015, 0.06),
    "o1-mini": (0.0011, 0.0044),
    "o3": (0.002, 0.008),
    "o3-mini": (0.0011, 0.0044),
    "o4-mini": (0.0011, 0.0044),
    # legacy completion models
    "davinci-002": 0.002,
    "babbage-002": 0.0004,
}

_warned: set[str] = set()
_warned_lock = threading.Lock()


def _normalize_model_name(model: str) -> str:
    name = model.strip().lower()
    name = re.sub(r"^gpt-?35", "gpt-3.5", name)  # Azure: gpt-35-turbo
    name = re.sub(r"^gpt4", "gpt-4", name)  # Azure: gpt4, gpt4o
    return name


def _pair(entry: PriceEntry) -> Price:
    if isinstance(entry, (int, float)):
        return (float(entry), float(entry))
    return (float(entry[0]), float(entry[1]))


def get_price(model: Optional[str], table: Optional[Mapping[str, PriceEntry]] = None) -> Optional[Price]:
    """The (input, output) price per 1k tokens of ``model`` in ``table`` (default: the OpenAI one), or None."""
    if not model:
        return None
    table = OAI_PRICE1K if table is None else table
    name = _normalize_model_name(model)
    price = table.get(name)
    if price is not None:
        return _pair(price)
    best = ""
    for known in table:  # provider tables may spell names in mixed case
        low = known.lower()
        if low == name:
            return _pair(table[known])
        if len(known) > len(best) and name.startswith((low + "-", low + ":", low + "@")):
            best = known
    return _pair(table[best]) if best else None


def normalize_price(price: Union[None, float, int, Sequence[float]]) -> Optional[Price]:
    """Turn a config's ``price`` into an (input, output) pair; a single number prices both."""
    if price is None:
        return None
    if isinstance(price, (int, float)):
        logger.warning(
            "Input price is a float/int. Using the same price for prompt and completion tokens. Use a list/tuple "
            "if prompt and completion token prices are different."
        )
        return (float(price), float(price))
    values = list(price)
    if len(values) != 2 or not all(isinstance(v, (int, float)) for v in values):
        from ..exception_utils import ConfigError

        raise ConfigError(
            f"'price' must be [prompt_price_per_1k, completion_price_per_1k] (two numbers), got {price!r}"
        )
    return (float(values[0]), float(values[1]))


def compute_cost(
    model: Optional[str],
    prompt_tokens: Optional[int],
    completion_tokens: Optional[int],
    price: Optional[Price] = None,
    table: Optional[Mapping[str, PriceEntry]] = None,
) -> float:
    """The cost in USD of a call; ``price`` overrides ``table`` (default: the OpenAI table).
    Unknown models cost 0 (warned once)."""
    if price is None:
        price = get_price(model, table)
        if price is None:
            key = str(model)
            with _warned_lock:
                first = key not in _warned
                _warned.add(key)
            if first:
                logger.warning(
                    "Model %s is not found. The cost will be 0. In your config_list, add field "
                    '{"price" : [prompt_price_per_1k, completion_token_price_per_1k]} for customized pricing.',
                    model,
                )
            return 0  # an int, as classic: summaries print "Total cost: 0"
    return ((prompt_tokens or 0) * price[0] + (completion_tokens or 0) * price[1]) / 1000
