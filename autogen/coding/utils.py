"""Small helpers shared by the executors: file names from code comments, pip silencing, language tables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Union

__all__ = (
    "silence_pip",
    "extract_filename",
    "resolve_in_workspace",
    "UnsafeFilenameError",
    "PYTHON_LANGUAGES",
    "SHELL_LANGUAGES",
    "POWERSHELL_LANGUAGES",
    "file_extension",
    "temp_code_filename",
    "filename_patterns",
)

PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})
SHELL_LANGUAGES = frozenset({"bash", "shell", "sh"})
POWERSHELL_LANGUAGES = frozenset({"pwsh", "powershell", "ps1"})

_EXTENSIONS = {
    **{lang: "py" for lang in PYTHON_LANGUAGES},
    "bash": "sh",
    "shell": "sh",
    "sh": "sh",
    **{lang: "ps1" for lang in POWERSHELL_LANGUAGES},
    "javascript": "js",
    "js": "js",
    "html": "html",
    "css": "css",
}

# The first line of a block may name the file it should be saved as, in the comment syntax of its language.
_FILENAME_COMMENTS = (
    re.compile(r"^\s*#\s*filename:\s*(?P<name>.+?)\s*$", re.IGNORECASE),
    re.compile(r"^\s*//\s*filename:\s*(?P<name>.+?)\s*$", re.IGNORECASE),
    re.compile(r"^\s*<!--\s*filename:\s*(?P<name>.+?)\s*-->\s*$", re.IGNORECASE),
    re.compile(r"^\s*/\*\s*filename:\s*(?P<name>.+?)\s*\*/\s*$", re.IGNORECASE),
)

# Classic public name: the compiled "filename:" comment patterns (the name is the group "name").
filename_patterns = list(_FILENAME_COMMENTS)

_PIP_INSTALL = {
    "python": re.compile(r"^(\s*!\s?pip install)(?!.*(?:\s-q|--quiet))", re.MULTILINE),
    "shell": re.compile(r"^(\s*pip install)(?!.*(?:\s-q|--quiet))", re.MULTILINE),
}


try:  # CPython's own MD5: lighter to call than OpenSSL's for the few bytes of a block (every block names its file)
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import md5 as _md5


class UnsafeFilenameError(ValueError):
    """A ``# filename:`` comment names a path outside the working directory."""


def file_extension(lang: str) -> str:
    """The file extension used to save a block of ``lang``."""
    return _EXTENSIONS.get(lang, lang or "txt")


def temp_code_filename(code: str, lang: str) -> str:
    """A stable file name for a block that does not name its own file."""
    digest = _md5(code.encode("utf-8")).hexdigest()
    return f"tmp_code_{digest}.{file_extension(lang)}"


def extract_filename(code: str) -> Optional[str]:
    """The file name a block asks to be saved as (``# filename: x.py`` on its first line), if any."""
    first_line = code.lstrip("\r\n").split("\n", 1)[0]
    if "lename:" not in first_line.lower():  # no pattern can match (this part has no other case forms)
        return None
    for pattern in _FILENAME_COMMENTS:
        match = pattern.match(first_line)
        if match:
            return match.group("name").strip().strip("`'\"")
    return None


def resolve_in_workspace(filename: str, work_dir: Union[str, Path]) -> Path:
    """Resolve ``filename`` against ``work_dir`` and make sure the result stays inside it.

    Raises :class:`UnsafeFilenameError` for absolute paths or ``..`` components that lead outside the working
    directory (symbolic links are followed before the check).
    """
    root = Path(work_dir).resolve()
    candidate = Path(filename)
    target = (candidate if candidate.is_absolute() else root / candidate).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        raise UnsafeFilenameError(
            f"Filename is not in the workspace: refused to save code to {filename!r}: the file name resolves to {str(target)!r}, outside the "
            f"working directory {str(root)!r}. Use a relative file name inside the working directory, "
            "e.g. '# filename: script.py'."
        ) from None
    if target == root:
        raise UnsafeFilenameError(
            f"Filename is not in the workspace: refused to save code to {filename!r}: it names the working "
            "directory itself."
        )
    return target


def silence_pip(code: str, lang: str) -> str:
    """Add ``-qqq`` to pip install lines (``!pip install`` in Python, ``pip install`` in shells) so that
    installation chatter does not flood the conversation."""
    if lang in PYTHON_LANGUAGES:
        pattern = _PIP_INSTALL["python"]
    elif lang in SHELL_LANGUAGES or lang in POWERSHELL_LANGUAGES:
        pattern = _PIP_INSTALL["shell"]
    else:
        return code
    return pattern.sub(r"\1 -qqq", code)


def _get_file_name_from_content(code: str, workspace_path: Path) -> Optional[str]:
    """Classic helper: the ``# filename:`` of a block relative to ``workspace_path`` (ValueError if outside)."""
    name = extract_filename(code)
    if name is None:
        return None
    return str(resolve_in_workspace(name, workspace_path).relative_to(Path(workspace_path).resolve()))


# Shell commands that destroy the machine rather than do work; refused before running a shell block. Each
# reason starts with the classic AutoGen 0.2 message; unlike the classic rules, ``rm -rf build/`` and
# ``dd`` between ordinary files are allowed (only the root/home directory and disk devices are protected).
_DANGEROUS_SHELL = (
    (
        re.compile(r"\brm\s+(?:-\S+\s+)*(?:/\*?|~/?\*?|\$HOME/?\*?)(?=\s|$|;|&|\|)"),
        "Use of 'rm -rf' command is not allowed. (It would remove the root or home directory.)",
    ),
    (re.compile(r"\bmv\b[^\n]*?\s+/dev/null\b"), "Moving files to /dev/null is not allowed."),
    (re.compile(r"\bmkfs(\.\w+)?\b"), "Formatting file systems (mkfs) is not allowed."),
    (
        re.compile(r"\bdd\b[^\n]*\bof=/dev/(sd|hd|nvme|vd|xvd|disk)"),
        "Use of 'dd' command is not allowed. (It would write a raw disk device.)",
    ),
    (re.compile(r">\s*/dev/(sd|hd|nvme|vd|xvd)[a-z0-9]*"), "Overwriting disk blocks directly is not allowed."),
    (re.compile(r":\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:"), "Fork bombs are not allowed."),
)


def find_dangerous_command(code: str) -> Optional[str]:
    """Why a shell block must not run (wiping ``/`` or ``~``, mkfs, raw disk writes, fork bombs), or None."""
    for pattern, reason in _DANGEROUS_SHELL:
        if pattern.search(code):
            return reason
    return None
