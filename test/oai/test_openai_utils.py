"""Config-list helpers: loading, building and filtering config lists, with clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autogen.exception_utils import ConfigError
from autogen.oai.openai_utils import (
    DEFAULT_AZURE_API_VERSION,
    config_list_from_dotenv,
    config_list_from_json,
    config_list_from_models,
    config_list_gpt4_gpt35,
    config_list_openai_aoai,
    filter_config,
    get_config_list,
    is_valid_api_key,
)

CONFIGS = [
    {"model": "gpt-4", "api_key": "k1", "tags": ["gpt4", "smart"]},
    {"model": "gpt-3.5-turbo", "api_key": "k2", "tags": ["cheap"]},
    {"model": "gpt-4o", "api_key": "k3", "api_type": "azure", "base_url": "https://x.azure.com"},
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "OAI_CONFIG_LIST",
        "OPENAI_API_KEY",
        "OPENAI_API_BASE",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_API_BASE",
    ):
        monkeypatch.delenv(var, raising=False)


def test_from_json_file_env_json_and_env_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "OAI_CONFIG_LIST").write_text(json.dumps(CONFIGS))
    assert config_list_from_json("OAI_CONFIG_LIST", file_location=str(tmp_path)) == CONFIGS
    monkeypatch.chdir(tmp_path)
    assert config_list_from_json("OAI_CONFIG_LIST") == CONFIGS
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(CONFIGS[:1]))
    assert config_list_from_json("OAI_CONFIG_LIST") == CONFIGS[:1]
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps(CONFIGS[1:]))
    monkeypatch.setenv("OAI_CONFIG_LIST", str(other))
    assert config_list_from_json("OAI_CONFIG_LIST") == CONFIGS[1:]


def test_from_json_filters(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps(CONFIGS))
    got = config_list_from_json("list.json", file_location=str(tmp_path), filter_dict={"model": ["gpt-4", "gpt-4o"]})
    assert [c["model"] for c in got] == ["gpt-4", "gpt-4o"]


def test_malformed_json_names_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "OAI_CONFIG_LIST"
    bad.write_text('[\n  {"model": "gpt-4",\n   "api_key": }\n]')
    with pytest.raises(ConfigError) as info:
        config_list_from_json("OAI_CONFIG_LIST", file_location=str(tmp_path))
    message = str(info.value)
    assert str(bad) in message and "line 3" in message and "column" in message


def test_malformed_json_in_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAI_CONFIG_LIST", "[{'model': 'gpt-4'}]")
    with pytest.raises(
        ConfigError, match=r"environment variable OAI_CONFIG_LIST \(not the path .*\) is not valid JSON"
    ):
        config_list_from_json("OAI_CONFIG_LIST")


def test_non_list_content_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"model": "gpt-4"}))
    with pytest.raises(ConfigError, match="must hold a JSON list of configs, but it holds a dict"):
        config_list_from_json("one.json", file_location=str(tmp_path))
    (tmp_path / "strs.json").write_text(json.dumps(["gpt-4"]))
    with pytest.raises(ConfigError, match="config 0 must be a JSON object"):
        config_list_from_json("strs.json", file_location=str(tmp_path))


def test_missing_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no environment variable 'NOPE_LIST' and no file"):
        config_list_from_json("NOPE_LIST", file_location=str(tmp_path))


def test_filter_config() -> None:
    assert filter_config(CONFIGS, None) == CONFIGS
    assert [c["model"] for c in filter_config(CONFIGS, {"tags": ["smart", "cheap"]})] == ["gpt-4", "gpt-3.5-turbo"]
    assert [c["model"] for c in filter_config(CONFIGS, {"tags": ["cheap"]}, exclude=True)] == ["gpt-4", "gpt-4o"]
    # None matches configs without the key
    assert [c["model"] for c in filter_config(CONFIGS, {"api_type": [None]})] == ["gpt-4", "gpt-3.5-turbo"]
    # every key must match
    assert filter_config(CONFIGS, {"model": ["gpt-4"], "api_key": ["k2"]}) == []
    assert filter_config(CONFIGS, {"model": "gpt-4o"}) == [CONFIGS[2]]  # a single value works too


def test_get_config_list() -> None:
    got = get_config_list(["a", " ", "b"], base_urls=["u1", "u2", "u3"], api_type="azure", api_version="v")
    assert got == [
        {"api_key": "a", "base_url": "u1", "api_type": "azure", "api_version": "v"},
        {"api_key": "b", "base_url": "u3", "api_type": "azure", "api_version": "v"},
    ]
    with pytest.raises(AssertionError, match="The length of api_keys must match the length of base_urls"):
        get_config_list(["a", "b"], base_urls=["u"])


def test_openai_aoai_from_env_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-one\nsk-two")
    (tmp_path / "key_aoai.txt").write_text("azure-key\n")
    (tmp_path / "base_aoai.txt").write_text("https://my.azure.com\n")
    configs = config_list_openai_aoai(key_file_path=str(tmp_path))
    assert configs == [
        {"api_key": "sk-one"},
        {"api_key": "sk-two"},
        {
            "api_key": "azure-key",
            "base_url": "https://my.azure.com",
            "api_type": "azure",
            "api_version": DEFAULT_AZURE_API_VERSION,
        },
    ]
    assert config_list_openai_aoai(key_file_path=str(tmp_path), exclude="aoai") == configs[:2]
    models = config_list_from_models(key_file_path=str(tmp_path), exclude="aoai", model_list=["a", "b"])
    assert [(c["model"], c["api_key"]) for c in models] == [
        ("a", "sk-one"),
        ("a", "sk-two"),
        ("b", "sk-one"),
        ("b", "sk-two"),
    ]
    assert [c["model"] for c in config_list_gpt4_gpt35(key_file_path=str(tmp_path), exclude="aoai")] == [
        "gpt-4",
        "gpt-4",
        "gpt-3.5-turbo",
        "gpt-3.5-turbo",
    ]


def test_from_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    env = tmp_path / ".env"
    env.write_text("OPENAI_API_KEY=sk-dot\nMY_KEY=mine\nMY_BASE=https://base.example/v1\n")
    for var in ("MY_KEY", "MY_BASE"):
        monkeypatch.delenv(var, raising=False)
    configs = config_list_from_dotenv(
        dotenv_file_path=str(env),
        model_api_key_map={"custom": {"api_key_env_var": "MY_KEY", "base_url": "MY_BASE"}, "missing": "NOT_SET_X"},
        filter_dict={"model": ["gpt-4", "custom"]},
    )
    assert configs == [
        {"api_key": "mine", "base_url": "https://base.example/v1", "model": "custom"},
        {"api_key": "sk-dot", "model": "gpt-4"},
    ]
    assert "API key not found or empty for model missing. Please ensure path to .env file is correct." in caplog.text


def test_is_valid_api_key() -> None:
    assert is_valid_api_key("sk-" + "a1" * 24)
    assert is_valid_api_key("sk-proj-" + "A" * 40)
    assert not is_valid_api_key("sk-short")
    assert not is_valid_api_key("pk-" + "a" * 48)
    assert not is_valid_api_key("")
