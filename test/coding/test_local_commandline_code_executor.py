"""LocalCommandLineCodeExecutor: real processes in a temporary working directory."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from autogen.code_utils import create_virtual_env
from autogen.coding import (
    CodeBlock,
    CodeExecutor,
    CommandLineCodeResult,
    FunctionWithRequirements,
    LocalCommandLineCodeExecutor,
    MarkdownCodeExtractor,
    with_requirements,
)
from autogen.coding.func_with_reqs import Alias, ImportFromModule


def add_numbers(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@with_requirements(global_imports=["math", ImportFromModule("os", [Alias("path", "ospath")])])
def circle_area(
    radius: float,
) -> float:
    """Area of a circle."""
    return math.pi * radius**2 if ospath.sep else 0.0  # type: ignore[name-defined]  # noqa: F821


def test_is_a_code_executor(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    assert isinstance(executor, CodeExecutor)
    assert isinstance(executor.code_extractor, MarkdownCodeExtractor)
    assert executor.timeout == 60 and executor.work_dir == tmp_path


def test_python_and_shell_blocks(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="import sys\nprint('hello from python', file=sys.stdout)", language="python"),
            CodeBlock(code="echo hello from $0 >&2; pwd", language="sh"),
            CodeBlock(code="echo bash $BASH_VERSION | cut -c1-4", language="bash"),
        ]
    )
    assert isinstance(result, CommandLineCodeResult)
    assert result.exit_code == 0, result.output
    assert "hello from python\n" in result.output
    assert "hello from " in result.output and str(tmp_path) in result.output
    assert "bash" in result.output
    assert result.code_file is not None and Path(result.code_file).parent == tmp_path.resolve()
    assert Path(result.code_file).read_text().startswith("import sys")


def test_language_aliases_and_case(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    for lang in ("Python", "py", "python3", "shell", "SH"):
        code = "print('ok')" if "py" in lang.lower() else "echo ok"
        result = executor.execute_code_blocks([CodeBlock(code=code, language=lang)])
        assert (result.exit_code, result.output) == (0, "ok\n"), lang


def test_stops_at_first_failing_block(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="print('first')", language="python"),
            CodeBlock(code="raise SystemExit(3)", language="python"),
            CodeBlock(code="open('third.txt', 'w').write('x')", language="python"),
        ]
    )
    assert result.exit_code == 3
    assert result.output.startswith("first\n")
    assert not (tmp_path / "third.txt").exists()


def test_traceback_and_output_are_both_reported(tmp_path: Path) -> None:
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks(
        [CodeBlock(code="print('before')\n1/0", language="python")]
    )
    assert result.exit_code == 1
    assert "before" in result.output and "ZeroDivisionError" in result.output


def test_filename_comment_saves_under_that_name(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    code = "# filename: pkg/hello.py\nprint('saved and run')"
    result = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0 and result.output == "saved and run\n"
    assert (tmp_path / "pkg" / "hello.py").read_text() == code
    assert result.code_file == str(tmp_path.resolve() / "pkg" / "hello.py")


def test_a_block_run_again_runs_its_own_code(tmp_path: Path) -> None:
    """The saved file is left as is when it already holds the block, and rewritten when it was changed."""
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    block = [CodeBlock(code="# filename: again.sh\necho from the block", language="bash")]
    assert executor.execute_code_blocks(block).output == "from the block\n"
    assert executor.execute_code_blocks(block).output == "from the block\n"
    (tmp_path / "again.sh").write_text("echo edited meanwhile\n")
    assert executor.execute_code_blocks(block).output == "from the block\n"
    assert (tmp_path / "again.sh").read_text() == block[0].code


def test_absolute_filename_inside_work_dir_is_allowed(tmp_path: Path) -> None:
    target = tmp_path / "abs_inside.py"
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks(
        [CodeBlock(code=f"# filename: {target}\nprint(1)", language="python")]
    )
    assert result.exit_code == 0 and target.exists()


@pytest.mark.parametrize("name", ["../escaped.py", "sub/../../escaped.py", "/tmp/autogen_escaped_abs.py", "link/x.py"])
def test_filename_escaping_work_dir_is_refused(tmp_path: Path, name: str) -> None:
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (work_dir / "link").symlink_to(outside, target_is_directory=True)
    executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="print('ran first')", language="python"),
            CodeBlock(code=f"# filename: {name}\nprint('must not run')", language="python"),
        ]
    )
    assert result.exit_code != 0
    assert "ran first" in result.output
    assert "outside the working directory" in result.output and "must not run" not in result.output
    assert not (tmp_path / "escaped.py").exists()
    assert not Path("/tmp/autogen_escaped_abs.py").exists()
    assert not (outside / "x.py").exists()


def test_timeout_reports_124_and_keeps_output(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=1)
    started = time.monotonic()
    result = executor.execute_code_blocks(
        [CodeBlock(code="import time\nprint('started')\ntime.sleep(30)", language="python")]
    )
    assert time.monotonic() - started < 10
    assert result.exit_code == 124
    assert "started" in result.output and "Timeout" in result.output


@pytest.mark.parametrize("language", ["python", "sh"])
def test_timeout_kills_the_whole_process_group(
    tmp_path: Path, language: str, process_alive: Callable[[int], bool], reap_pids: list[int]
) -> None:
    if language == "python":
        code = (
            "import subprocess, time\n"
            "child = subprocess.Popen(['sleep', '300'])\n"
            "open('child.pid', 'w').write(str(child.pid))\n"
            "time.sleep(300)\n"
        )
    else:
        code = "sleep 300 &\necho $! > child.pid\nwait\n"
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=2).execute_code_blocks(
        [CodeBlock(code=code, language=language)]
    )
    assert result.exit_code == 124
    pid = int((tmp_path / "child.pid").read_text())
    reap_pids.append(pid)
    deadline = time.monotonic() + 5
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(pid), "the block's child process survived the timeout"


def test_input_does_not_hang(tmp_path: Path) -> None:
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=10).execute_code_blocks(
        [CodeBlock(code="input('name? ')", language="python")]
    )
    assert result.exit_code == 1 and "EOFError" in result.output


def test_unknown_language_is_explained(tmp_path: Path) -> None:
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks(
        [CodeBlock(code="PROGRAM-ID. HELLO.", language="cobol")]
    )
    assert result.exit_code == 1
    assert "unknown language cobol" in result.output and "python" in result.output
    empty = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks([CodeBlock(code="??", language="")])
    assert empty.exit_code == 1 and "unknown language" in empty.output


def test_execution_policies_save_without_running(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path, execution_policies={"python": False})
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="open('ran.txt', 'w').write('x')", language="python"),
            CodeBlock(code="<p>hi</p>", language="html"),
        ]
    )
    assert result.exit_code == 0
    assert result.output.count("Code saved to") == 2
    assert not (tmp_path / "ran.txt").exists()
    assert any(p.suffix == ".html" for p in tmp_path.iterdir())


def test_pip_install_lines_are_quietened(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path, execution_policies={"sh": False})
    executor.execute_code_blocks([CodeBlock(code="pip install some-package", language="sh")])
    (saved,) = tmp_path.glob("*.sh")
    assert saved.read_text() == "pip install -qqq some-package"


def test_dangerous_shell_commands_are_refused(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    result = executor.execute_code_blocks([CodeBlock(code="echo hi && rm -rf / --no-preserve-root", language="sh")])
    assert result.exit_code == 1 and "dangerous" in result.output
    ok = executor.execute_code_blocks([CodeBlock(code="mkdir -p build && rm -rf build && echo cleaned", language="sh")])
    assert ok.exit_code == 0 and ok.output == "cleaned\n"
    with pytest.raises(ValueError, match="dangerous"):
        LocalCommandLineCodeExecutor.sanitize_command("bash", ":(){ :|:& };:")


def test_function_without_source_fails_at_construction(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec("def no_source(x):\n    return x\n", namespace)
    with pytest.raises(ValueError, match="Cannot read the source of 'no_source'"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path, functions=[namespace["no_source"]])


def test_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Timeout"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=0)
    with pytest.raises(ValueError, match="identifier"):
        LocalCommandLineCodeExecutor(work_dir=tmp_path, functions_module="not-a-module")


def test_work_dir_is_created(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=str(tmp_path / "new" / "dir"))
    assert executor.work_dir.is_dir()


def test_restart_is_a_harmless_no_op(tmp_path: Path) -> None:
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path)
    with pytest.warns(UserWarning, match="not supported"):
        executor.restart()
    assert executor.execute_code_blocks([CodeBlock(code="print(1)", language="python")]).output == "1\n"


def test_functions_are_importable_by_generated_code(tmp_path: Path) -> None:
    source_fn = FunctionWithRequirements.from_str(
        "def shout(text: str) -> str:\n    '''Upper-case text.'''\n    return text.upper()\n"
    )
    executor = LocalCommandLineCodeExecutor(
        work_dir=tmp_path, functions=[add_numbers, circle_area, source_fn], functions_module="tools"
    )
    prompt = executor.format_functions_for_prompt()
    assert "from tools import foo" in prompt
    assert "def add_numbers(a: int, b: int) -> int:" in prompt and "Add two numbers." in prompt
    assert "def circle_area(radius: float) -> float:" in prompt
    assert "def shout(text: str) -> str:" in prompt
    code = (
        "# filename: sub/use_tools.py\n"
        "from tools import add_numbers, circle_area, shout\n"
        "print(add_numbers(2, 3), round(circle_area(1.0), 2), shout('ok'))"
    )
    result = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0, result.output
    assert result.output == "5 3.14 OK\n"
    module = (tmp_path / "tools.py").read_text()
    assert "import math" in module and "from os import path as ospath" in module
    assert "@with_requirements" not in module


def test_functions_with_packages_and_a_broken_module(tmp_path: Path) -> None:
    @with_requirements(python_packages=["pytest"])  # already installed: pip needs no network
    def uses_pytest() -> str:
        import pytest as _pytest

        return _pytest.__name__

    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path / "ok", functions=[uses_pytest])
    result = executor.execute_code_blocks(
        [CodeBlock(code="from functions import uses_pytest\nprint(uses_pytest())", language="python")]
    )
    assert (result.exit_code, result.output) == (0, "pytest\n")

    broken = FunctionWithRequirements.from_str(
        "def broken() -> None:\n    pass\n", global_imports=["module_that_does_not_exist_xyz"]
    )
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path / "broken", functions=[broken])
    result = executor.execute_code_blocks([CodeBlock(code="print(1)", language="python")])
    assert result.exit_code == 1
    assert "failed to import" in result.output and "module_that_does_not_exist_xyz" in result.output


def test_virtual_env_context(tmp_path: Path) -> None:
    venv_dir = tmp_path / "venv"
    context = create_virtual_env(str(venv_dir), with_pip=False)
    executor = LocalCommandLineCodeExecutor(work_dir=tmp_path / "work", virtual_env_context=context)
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="import sys\nprint(sys.prefix)", language="python"),
            CodeBlock(code="command -v python", language="sh"),
        ]
    )
    assert result.exit_code == 0, result.output
    prefix, python_on_path = result.output.splitlines()
    assert Path(prefix).resolve() == venv_dir.resolve()
    assert Path(python_on_path).parent.resolve() == Path(context.bin_path).resolve()


def test_environment_is_inherited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGEN_TEST_MARKER", "visible")
    result = LocalCommandLineCodeExecutor(work_dir=tmp_path).execute_code_blocks(
        [CodeBlock(code="import os\nprint(os.environ['AUTOGEN_TEST_MARKER'])", language="python")]
    )
    assert result.output == "visible\n"
    assert os.environ["AUTOGEN_TEST_MARKER"] == "visible"
