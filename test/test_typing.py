"""The public API is typed for users' tools: mypy sees the real classes through the lazy exports."""

from __future__ import annotations

import ast
import importlib
import pathlib
import subprocess
import sys

import pytest

import autogen

ROOT = pathlib.Path(autogen.__file__).parent

USER_SCRIPT = """\
import autogen
from autogen import AssistantAgent, UserProxyAgent

assistant = AssistantAgent("assistant", llm_config=False)
user = UserProxyAgent("user", code_execution_config=False)
result = user.initiate_chat(assistant, message="hi", max_turns=1)
reveal_type(assistant)
reveal_type(result)
reveal_type(result.chat_history)
reveal_type(autogen.GroupChatManager)
reveal_type(autogen.OpenAIWrapper)
autogen.ConversableAgnt
"""


def _lazy_packages() -> list[pathlib.Path]:
    return sorted(p for p in ROOT.rglob("__init__.py") if "lazy_exports(" in p.read_text())


def _type_checking_imports(init: pathlib.Path, package: str) -> dict[str, str]:
    """name -> absolute module of the imports under ``if TYPE_CHECKING:``."""
    found: dict[str, str] = {}
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom), f"{init}: only 'from ... import' under TYPE_CHECKING"
                module = importlib.util.resolve_name("." * imp.level + (imp.module or ""), package)
                found.update({alias.name: module for alias in imp.names})
    return found


@pytest.mark.parametrize("init", _lazy_packages(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_type_checking_imports_match_the_lazy_exports(init: pathlib.Path) -> None:
    package = ".".join(init.relative_to(ROOT.parent).parent.parts)
    module = importlib.import_module(package)
    exports = {
        name: importlib.util.resolve_name(target, package) if target.startswith(".") else target
        for name, target in module._EXPORTS.items()
    }
    assert _type_checking_imports(init, package) == exports
    for name in exports:  # and each lazy name resolves at run time
        assert getattr(module, name) is not None


def test_package_ships_py_typed() -> None:
    assert (ROOT / "py.typed").is_file()
    pyproject = (ROOT.parent / "pyproject.toml").read_text()
    assert 'autogen = ["py.typed"]' in pyproject


@pytest.mark.timeout(300)
def test_mypy_sees_the_public_classes(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--ignore-missing-imports",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    out = proc.stdout
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"') for line in out.splitlines() if "Revealed type" in line
    ]
    assert revealed[0] == "autogen.agentchat.assistant_agent.AssistantAgent"
    assert revealed[1] == "autogen.agentchat.chat.ChatResult"
    assert "list[dict[str, Any]]" in revealed[2]
    assert revealed[3].endswith("-> autogen.agentchat.groupchat_manager.GroupChatManager")
    assert revealed[4].endswith("-> autogen.oai.client.OpenAIWrapper")
    # a misspelt name is an error for the user's checker, not a silent Any
    assert 'Module has no attribute "ConversableAgnt"' in out, out
