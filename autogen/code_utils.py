"""Classic helpers for code in messages: extracting code blocks, deciding where code runs, running it.

Cheap to import: docker and the executors load only when code actually runs in them.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple, Union

__all__ = (
    "DEFAULT_MODEL",
    "FAST_MODEL",
    "UNKNOWN",
    "CODE_BLOCK_PATTERN",
    "WORKING_DIR",
    "TIMEOUT_MSG",
    "DEFAULT_TIMEOUT",
    "WIN32",
    "PATH_SEPARATOR",
    "PYTHON_VARIANTS",
    "content_str",
    "infer_lang",
    "extract_code",
    "get_powershell_command",
    "is_docker_running",
    "in_docker_container",
    "decide_use_docker",
    "check_can_use_docker_or_throw",
    "execute_code",
    "create_virtual_env",
    "SENTINEL",
    "timeout_handler",
)

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4"
FAST_MODEL = "gpt-3.5-turbo"
UNKNOWN = "unknown"
# A fenced block: ``` + optional language, a newline, the code (group 2, matched lazily), a newline, ```.
CODE_BLOCK_PATTERN = r"```[ \t]*(\w+)?[ \t]*\r?\n(.*?)\r?\n[ \t]*```"
WORKING_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "extensions")
TIMEOUT_MSG = "Timeout"
DEFAULT_TIMEOUT = 600
WIN32 = sys.platform == "win32"
PATH_SEPARATOR = "\\" if WIN32 else "/"
PYTHON_VARIANTS = ["python", "Python", "py"]
DEFAULT_DOCKER_IMAGES = ["python:3-slim", "python:3", "python:3-windowsservercore"]
_INLINE_CODE = r"`([^`\n]+)`"
_SHELL_LIKE = ("bash", "shell", "sh")
_POWERSHELL_LIKE = ("pwsh", "powershell", "ps1")

Content = Union[str, List[Dict[str, Any]], None]

# Classic marker for "argument not given" (``execute_code(use_docker=SENTINEL)`` means: decide as for None).
SENTINEL = object()


def timeout_handler(signum: int, frame: Any) -> None:
    """Classic SIGALRM handler: ``signal.signal(signal.SIGALRM, timeout_handler)`` turns an alarm into a
    ``TimeoutError("Timed out!")``."""
    raise TimeoutError("Timed out!")


def _cmd(lang: str) -> str:
    """Classic helper: the program that runs a saved file of ``lang`` (``python``, ``sh``, ``node``, ...)."""
    if lang in PYTHON_VARIANTS:
        return "python"
    if lang.startswith("python") or lang in ("bash", "sh"):
        return lang
    if lang == "shell":
        return "sh"
    if lang == "javascript":
        return "node"
    if lang in _POWERSHELL_LIKE:
        return get_powershell_command()
    raise NotImplementedError(f"{lang} not recognized in code execution")


def _sanitize_filename_for_docker_tag(filename: str) -> str:
    """Classic helper: ``filename`` as a valid Docker tag (letters, digits, ``_.-``; no leading ``.``/``-``;
    at most 128 characters)."""
    sanitized = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    if sanitized[:1] in (".", "-"):
        sanitized = "_" + sanitized[1:]
    return sanitized[:128]


# ---------------------------------------------------------------------------------------------- content ----


def content_str(content: Content) -> str:
    """The text of a message content: a string as is, None as "", and a multimodal list of parts with text
    parts concatenated and each image part shown as ``<image>``."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise TypeError(f"content must be None, str, or list, but got {type(content)}")
    pieces: List[str] = []
    for part in content:
        if not isinstance(part, dict):
            raise TypeError("Wrong content format: every element should be dict if the content is a list.")
        kind = part.get("type")
        if kind is None:
            raise AssertionError("Wrong content format. Missing 'type' key in content's dict.")
        if kind == "text":
            pieces.append(part.get("text") or "")
        elif kind in ("image_url", "image"):
            pieces.append("<image>")
        else:
            raise ValueError(f"Wrong content format: unknown type {kind} within the content")
    return "".join(pieces)


def infer_lang(code: str) -> str:
    """Guess the language of a block without one: ``sh`` for python/pip command lines, ``python`` when the
    code compiles as Python, else ``UNKNOWN``."""
    if code.startswith(("python ", "python3 ", "pip")):
        return "sh"
    try:
        compile(code, "<inferred>", "exec")
    except (SyntaxError, ValueError):
        return UNKNOWN
    return "python"


def extract_code(
    text: Content, pattern: str = CODE_BLOCK_PATTERN, detect_single_line_code: bool = False
) -> List[Tuple[str, str]]:
    """The ``(language, code)`` pairs of the fenced code blocks in ``text``.

    Without any block the whole text comes back as ``[(UNKNOWN, text)]``. With ``detect_single_line_code``,
    inline `code` spans count too (with language ""), and no match gives an empty list.
    """
    text = content_str(text)
    if not detect_single_line_code:
        found = re.findall(pattern, text, flags=re.DOTALL)
        return found if found else [(UNKNOWN, text)]
    extracted: List[Tuple[str, str]] = []
    for lang, fenced, inline in re.findall(f"{pattern}|{_INLINE_CODE}", text, flags=re.DOTALL):
        if fenced:
            extracted.append((lang.strip(), fenced.strip()))
        elif inline:
            extracted.append(("", inline.strip()))
    return extracted


# ---------------------------------------------------------------------------------- where code runs ----


def get_powershell_command() -> str:
    """``powershell`` or ``pwsh``: the first that runs (each is started once to ask its version, as classic did).

    Raises ``PermissionError`` when PowerShell is there but may not be run, ``FileNotFoundError`` when neither runs.
    """
    import subprocess

    for name, args in (("powershell", []), ("pwsh", ["-Command"])):
        try:
            done = subprocess.run([name, *args, "$PSVersionTable.PSVersion.Major"], capture_output=True, text=True)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except PermissionError as exc:
            raise PermissionError(f"No permission to run {name}.") from exc
        if done.returncode == 0:
            return name
    raise FileNotFoundError(
        "Neither powershell.exe nor pwsh.exe is present in the system. Please install PowerShell and try again. "
        "Neither powershell nor pwsh runs here, but a PowerShell block was given. "
        "Install PowerShell (https://learn.microsoft.com/powershell/scripting/install/installing-powershell)."
    )


def is_docker_running() -> bool:
    """Whether a Docker daemon answers (imports the docker SDK; call only when Docker is wanted)."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=10)
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def in_docker_container() -> bool:
    """Whether this process itself runs inside a Docker container."""
    return os.path.exists("/.dockerenv")


_TRUTHY = {"1", "true", "yes", "t", "y", "on"}
_FALSY = {"0", "false", "no", "f", "n", "off"}


def decide_use_docker(use_docker: Union[bool, str, List[str], None]) -> Union[bool, str, List[str], None]:
    """Where code runs when ``use_docker`` is not given (None).

    Docker is the default (as in the classic package): None becomes True, unless the environment variable
    ``AUTOGEN_USE_DOCKER`` says False/0/no (or "None"). Inside a container the answer is still True; code then
    runs in this container itself (see :func:`resolve_docker_images`). Any other value is returned unchanged.
    """
    if use_docker is not None:
        return use_docker
    raw = os.environ.get("AUTOGEN_USE_DOCKER", "True").strip()
    lowered = raw.lower()
    if lowered in _FALSY:
        return False
    if lowered == "none":
        return None
    if lowered not in _TRUTHY:
        raise ValueError(
            f'Invalid value for AUTOGEN_USE_DOCKER: {raw}. Please set AUTOGEN_USE_DOCKER to "1/True/yes", '
            '"0/False/no", or "None".'
        )
    return True


def check_can_use_docker_or_throw(use_docker: Union[bool, str, List[str], None]) -> None:
    """Raise when Docker is asked for but its daemon does not answer (and we are not already in a container,
    where code then runs locally). Probes the daemon only when ``use_docker`` asks for Docker."""
    if not use_docker:
        return
    if not in_docker_container() and not is_docker_running():
        from .coding.errors import DockerNotRunningError

        raise DockerNotRunningError()


def docker_images_for(use_docker: Union[bool, str, List[str]]) -> List[str]:
    """The candidate images for a truthy ``use_docker``: the defaults for True, else the given name(s)."""
    if use_docker is True:
        return list(DEFAULT_DOCKER_IMAGES)
    if isinstance(use_docker, str):
        return [use_docker]
    if isinstance(use_docker, (list, tuple)) and use_docker:
        return [str(i) for i in use_docker]
    raise ValueError(f"use_docker must be a bool, an image name or a list of image names, not {use_docker!r}.")


def resolve_docker_images(use_docker: Union[bool, str, List[str], None]) -> Optional[List[str]]:
    """Decide once where code runs: the candidate Docker images, or None to run locally.

    None follows :func:`decide_use_docker`. As in the classic package, a process that already runs inside a
    container runs the code here (the container is the sandbox); otherwise the daemon is probed once and
    :class:`~autogen.coding.errors.DockerNotRunningError` is raised when it does not answer.
    """
    use_docker = decide_use_docker(use_docker)
    if not use_docker:
        return None
    images = docker_images_for(use_docker)
    if in_docker_container():
        logger.info("Already inside a container: code runs here rather than in a new Docker container.")
        return None
    if is_docker_running():
        return images
    from .coding.errors import DockerNotRunningError

    raise DockerNotRunningError()


def _interpreter(lang: str) -> List[str]:
    """The local command that runs a saved file of ``lang``."""
    if lang in PYTHON_VARIANTS or lang.startswith("python"):
        return [sys.executable]
    if lang in _SHELL_LIKE:
        return ["bash" if lang == "bash" else "sh"]
    if lang in _POWERSHELL_LIKE:
        return [get_powershell_command(), "-File"]
    if lang == "javascript":
        return ["node"]
    raise NotImplementedError(f"{lang} not recognized in code execution")


def _container_interpreter(lang: str) -> List[str]:
    if lang in PYTHON_VARIANTS or lang.startswith("python"):
        return ["python"]
    if lang in _SHELL_LIKE:
        return ["bash" if lang == "bash" else "sh"]
    if lang in _POWERSHELL_LIKE:
        return ["pwsh", "-File"]
    if lang == "javascript":
        return ["node"]
    raise NotImplementedError(f"{lang} not recognized in code execution")


# ------------------------------------------------------------------------------------------ running ----


def execute_code(
    code: Optional[str] = None,
    timeout: Optional[int] = None,
    filename: Optional[str] = None,
    work_dir: Optional[str] = None,
    use_docker: Union[bool, str, List[str], None, object] = None,
    lang: Optional[str] = "python",
) -> Tuple[int, str, Optional[str]]:
    """Run ``code`` (or the existing file ``filename``) and return ``(exit_code, logs, image)``.

    The code is saved under ``work_dir`` (default :data:`WORKING_DIR`) as ``filename`` or a temporary name
    (removed afterwards). ``use_docker``: None follows :func:`decide_use_docker` (Docker by default); True,
    an image name or a list of them runs the file in a fresh container from that image with ``work_dir``
    mounted at /workspace; False runs it here with this Python. ``logs`` is the output on success, and the
    output plus the error stream on failure (the work dir and a temporary file's name cut out of paths, as
    classic did); a run past ``timeout`` seconds (default 600) is killed and gives exit code 1, as in classic
    0.2, and ``logs`` ending in :data:`TIMEOUT_MSG`. ``image`` is the Docker image
    used, or None when the code ran locally.
    """
    if code is None and filename is None:
        raise AssertionError(f"Either code={code!r} or filename={filename!r} must be provided.")
    lang = lang or "python"
    images = resolve_docker_images(None if use_docker is SENTINEL else use_docker)  # type: ignore[arg-type]
    timeout = timeout or DEFAULT_TIMEOUT
    work_dir = work_dir or WORKING_DIR
    os.makedirs(work_dir, exist_ok=True)

    temporary = filename is None
    if filename is None:
        assert code is not None
        from hashlib import md5

        ext = "py" if lang in PYTHON_VARIANTS or lang.startswith("python") else lang
        filename = f"tmp_code_{md5(code.encode('utf-8')).hexdigest()}.{ext}"
    if code is not None:
        from .coding.utils import UnsafeFilenameError, resolve_in_workspace

        try:
            path = resolve_in_workspace(filename, work_dir)
        except UnsafeFilenameError as exc:
            return 1, str(exc), None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    else:
        path = Path(work_dir, filename)
    try:
        if images is None:
            exit_code, logs = _run_here(lang, filename, work_dir, timeout, temporary)
            return exit_code, logs, None
        exit_code, logs, image = _run_in_fresh_container(lang, filename, work_dir, timeout, images, temporary)
        return exit_code, logs, image
    finally:
        if temporary:
            path.unlink(missing_ok=True)


# The exit code execute_code (and the legacy executor of code_execution_config) gives a run that timed out: classic
# execute_code gave 1; the executors give 124.
LEGACY_TIMEOUT_EXIT_CODE = 1


def _run_here(lang: str, filename: str, work_dir: str, timeout: float, temporary: bool) -> Tuple[int, str]:
    from .coding._process import python_env, run_command

    argv = [*_interpreter(lang), filename]
    env = python_env() if argv[0] == sys.executable else None
    outcome = run_command(argv, cwd=work_dir, timeout=timeout, env=env, merge_stderr=False)
    if outcome.timed_out:
        return LEGACY_TIMEOUT_EXIT_CODE, TIMEOUT_MSG
    if outcome.exit_code == 0:
        return 0, outcome.stdout
    return outcome.exit_code, outcome.stdout + _cut_run_paths(outcome.stderr, filename, temporary, work_dir)


def _cut_run_paths(logs: str, filename: str, temporary: bool, work_dir: Union[str, Path, None] = None) -> str:
    """The logs of a failed run as classic execute_code showed them: paths in the work dir made relative, and a
    generated (temporary) file's name cut out, which means nothing to the reader (``File "", line 1``).

    ``work_dir``: the local work dir of the run, or None for a run in a container, where the work dir is mounted
    at ``/workspace`` (there classic cut ``/workspace/<file>`` for a temporary file, else ``/workspace/``)."""
    if work_dir is None:
        return logs.replace(f"/workspace/{filename if temporary else ''}", "")
    logs = logs.replace(str(Path(work_dir).absolute()) + os.sep, "")
    return logs.replace(filename, "") if temporary else logs


def _run_in_fresh_container(
    lang: str, filename: str, work_dir: str, timeout: float, images: List[str], temporary: bool
) -> Tuple[int, str, str]:
    from .coding._docker import ContainerSession, docker_client, ensure_image

    client = docker_client()
    try:
        image = ensure_image(client, images)
        with ContainerSession(client, image, bind_dir=Path(work_dir)) as session:
            outcome = session.exec([*_container_interpreter(lang), filename], timeout=timeout)
    finally:
        client.close()
    logs = outcome.stdout.rstrip()
    if outcome.timed_out:
        return LEGACY_TIMEOUT_EXIT_CODE, f"{logs}\n{TIMEOUT_MSG}" if logs else TIMEOUT_MSG, image
    if outcome.exit_code:
        logs = _cut_run_paths(logs, filename, temporary)
    return outcome.exit_code, logs, image


def create_virtual_env(dir_path: str, **env_args: Any) -> SimpleNamespace:
    """Create a virtual environment in ``dir_path`` (with pip unless ``with_pip=False``) and return its
    context (``.env_exe``, ``.bin_path``, ...), as taken by ``LocalCommandLineCodeExecutor(virtual_env_context=)``."""
    import venv

    env_args.setdefault("with_pip", True)
    builder = venv.EnvBuilder(**env_args)
    builder.create(dir_path)
    return builder.ensure_directories(dir_path)


# ----- the classic LLM-based helpers (generate_code, improve_code, implement, ...): they live in code_llm_utils
from .code_llm_utils import (  # noqa: E402
    PassAssertionFilter,
    eval_function_completions,
    generate_assertions,
    generate_code,
    implement,
    improve_code,
    improve_function,
)

__all__ += (  # type: ignore[assignment]
    "generate_code",
    "improve_function",
    "improve_code",
    "generate_assertions",
    "eval_function_completions",
    "PassAssertionFilter",
    "implement",
)
