"""The price table: exact names, dated versions by prefix, Azure spellings, overrides."""

from __future__ import annotations

import pytest

from autogen.exception_utils import ConfigError
from autogen.oai.model_prices import compute_cost, get_price, normalize_price


@pytest.mark.parametrize(
    "model, price",
    [
        ("gpt-4", (0.03, 0.06)),
        ("gpt-4-0613", (0.03, 0.06)),
        ("gpt-4-32k", (0.06, 0.12)),
        ("gpt-4-turbo-2024-04-09", (0.01, 0.03)),
        ("gpt-4o", (0.0025, 0.01)),
        ("gpt-4o-2024-05-13", (0.005, 0.015)),  # listed dated versions win over the family
        ("gpt-4o-2024-08-06", (0.0025, 0.01)),
        ("gpt-4o-mini-2024-07-18", (0.00015, 0.0006)),  # not gpt-4o
        ("gpt-3.5-turbo-0125", (0.0005, 0.0015)),
        ("gpt-35-turbo", (0.0005, 0.0015)),  # Azure spelling
        ("gpt-35-turbo-16k", (0.003, 0.004)),
        ("o1-2024-12-17", (0.015, 0.06)),
        ("o1-mini-2024-09-12", (0.0011, 0.0044)),
    ],
)
def test_get_price(model: str, price: tuple[float, float]) -> None:
    assert get_price(model) == price


def test_unknown_models() -> None:
    assert get_price("llama-3") is None
    assert get_price("gpt-4omega") is None  # prefixes match only at a "-" boundary
    assert compute_cost("llama-3", 1000, 1000) == 0


def test_compute_cost_and_overrides() -> None:
    assert compute_cost("gpt-4", 1000, 500) == pytest.approx(0.03 + 0.03)
    assert compute_cost("gpt-4", 1000, None) == pytest.approx(0.03)
    assert compute_cost("anything", 2000, 1000, price=(1.0, 2.0)) == pytest.approx(4.0)
    assert normalize_price([0.5, 1]) == (0.5, 1.0)
    assert normalize_price(0.25) == (0.25, 0.25)
    assert normalize_price(None) is None
    with pytest.raises(ConfigError, match="two numbers"):
        normalize_price([1, 2, 3])
