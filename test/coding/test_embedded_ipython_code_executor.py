"""EmbeddedIPythonCodeExecutor: a real IPython kernel through jupyter_client."""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip(
    "jupyter_client", reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"'
)
pytest.importorskip("ipykernel", reason='needs the jupyter-executor extra: pip install "pyautogen[jupyter-executor]"')

from autogen.coding import CodeBlock, CodeExecutor, CodeExecutorFactory, IPythonCodeResult, MissingExtraError  # noqa: E402
from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor  # noqa: E402

# a 1x1 red PNG
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.fixture(scope="module")
def executor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedIPythonCodeExecutor]:
    with EmbeddedIPythonCodeExecutor(output_dir=tmp_path_factory.mktemp("ipython_out")) as ex:
        yield ex


def test_state_is_kept_between_blocks(executor: EmbeddedIPythonCodeExecutor) -> None:
    assert isinstance(executor, CodeExecutor)
    first = executor.execute_code_blocks([CodeBlock(code="counter = 41\nprint('set')", language="python")])
    assert (first.exit_code, first.output) == (0, "set\n")
    second = executor.execute_code_blocks(
        [CodeBlock(code="counter += 1", language="python"), CodeBlock(code="counter", language="python")]
    )
    assert isinstance(second, IPythonCodeResult)
    assert (second.exit_code, second.output) == (0, "42\n")


def test_image_is_returned_as_a_file(executor: EmbeddedIPythonCodeExecutor) -> None:
    code = (
        "import base64\nfrom IPython.display import Image, display\n"
        f"display(Image(data=base64.b64decode({PNG!r})))\nprint('shown')"
    )
    result = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0, result.output
    assert len(result.output_files) == 1
    path = Path(result.output_files[0])
    assert path.parent == executor.output_dir and path.suffix == ".png"
    assert path.read_bytes() == base64.b64decode(PNG)
    assert f"Image data saved to {path}" in result.output and "shown" in result.output


def test_html_is_saved_too(executor: EmbeddedIPythonCodeExecutor) -> None:
    code = "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))"
    result = executor.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0 and len(result.output_files) == 1
    assert Path(result.output_files[0]).read_text() == "<b>bold</b>"


def test_error_stops_the_run(executor: EmbeddedIPythonCodeExecutor) -> None:
    result = executor.execute_code_blocks(
        [
            CodeBlock(code="print('before')", language="python"),
            CodeBlock(code="1 / 0", language="python"),
            CodeBlock(code="print('after')", language="python"),
        ]
    )
    assert result.exit_code == 1
    assert result.output.startswith("before\nERROR: ZeroDivisionError: division by zero")
    assert "after" not in result.output and "\x1b[" not in result.output


def test_timeout_interrupts_and_keeps_state(tmp_path: Path) -> None:
    with EmbeddedIPythonCodeExecutor(timeout=2, output_dir=tmp_path) as executor:
        executor.execute_code_blocks([CodeBlock(code="kept = 'still here'", language="python")])
        started = time.monotonic()
        result = executor.execute_code_blocks(
            [CodeBlock(code="import time\nprint('sleeping', flush=True)\ntime.sleep(60)", language="python")]
        )
        assert time.monotonic() - started < 20
        assert result.exit_code == 124 and "Timeout" in result.output and "sleeping" in result.output
        after = executor.execute_code_blocks([CodeBlock(code="print(kept)", language="python")])
        assert (after.exit_code, after.output) == (0, "still here\n")


def test_pip_install_lines_and_shell_blocks(executor: EmbeddedIPythonCodeExecutor) -> None:
    # pytest is installed, so pip needs no network; -qqq keeps the output quiet
    result = executor.execute_code_blocks(
        [CodeBlock(code="!pip install pytest\nimport pytest\nprint(pytest.__name__)", language="python")]
    )
    assert (result.exit_code, result.output) == (0, "pytest\n")
    shell = executor.execute_code_blocks([CodeBlock(code="echo from the shell", language="sh")])
    assert (shell.exit_code, shell.output) == (0, "from the shell\n")
    failed = executor.execute_code_blocks([CodeBlock(code="echo partial; exit 3", language="bash")])
    assert failed.exit_code == 1
    assert failed.output.startswith("partial\nERROR: CalledProcessError") and "exit status 3" in failed.output
    assert "run_cell_magic" not in failed.output


def test_restart_clears_state(tmp_path: Path) -> None:
    with EmbeddedIPythonCodeExecutor(output_dir=tmp_path) as ex:
        ex.execute_code_blocks([CodeBlock(code="value = 1", language="python")])
        ex.restart()
        result = ex.execute_code_blocks([CodeBlock(code="print(value)", language="python")])
        assert result.exit_code == 1 and "NameError" in result.output


def test_factory_and_validation(tmp_path: Path) -> None:
    ex = CodeExecutorFactory.create({"executor": "ipython-embedded", "ipython-embedded": {"output_dir": str(tmp_path)}})
    assert isinstance(ex, EmbeddedIPythonCodeExecutor)
    try:
        assert ex.execute_code_blocks([CodeBlock(code="print(3)", language="python")]).output == "3\n"
    finally:
        ex.stop()
    with pytest.raises(ValueError, match="Timeout"):
        EmbeddedIPythonCodeExecutor(timeout=0, output_dir=tmp_path)
    with pytest.raises(ValueError, match="not installed"):
        EmbeddedIPythonCodeExecutor(kernel_name="no-such-kernel", output_dir=tmp_path)


def test_missing_extra_names_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jupyter_client", None)
    with pytest.raises(MissingExtraError) as info:
        EmbeddedIPythonCodeExecutor(output_dir=tmp_path)
    assert isinstance(info.value, ImportError)
    assert 'pip install "pyautogen[jupyter-executor]"' in str(info.value)
