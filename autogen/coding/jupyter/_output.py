"""Turn the messages a Jupyter kernel publishes for one execution into an :class:`IPythonCodeResult`.

Both Jupyter executors (embedded kernel and kernel gateway) feed kernel messages to :class:`KernelOutput`,
then :func:`render_results` saves rich outputs (images, HTML) as files and assembles the result.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ...code_utils import TIMEOUT_MSG
from ..base import IPythonCodeResult

__all__ = ("DataItem", "INTERRUPT_GRACE", "KernelOutput", "render_results", "prepare_code")

INTERRUPT_GRACE = 10.0
"""Seconds a kernel gets to become idle after a timed-out block was interrupted; after that it is restarted."""

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_PIP_INSTALL = re.compile(r"^(\s*[!%]\s?pip install)(?!.*(?:\s-q|--quiet))", re.MULTILINE)
_IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}


def prepare_code(code: str) -> str:
    """Quieten ``!pip install`` / ``%pip install`` lines (adds ``-qqq``); the kernel runs them as usual."""
    return _PIP_INSTALL.sub(r"\1 -qqq", code)


@dataclass
class DataItem:
    """One rich output (``mime_type`` such as ``image/png`` or ``text/html``) as the kernel sent it."""

    mime_type: str
    data: Any


@dataclass
class KernelOutput:
    """Collects the outputs of the execution request ``msg_id`` from kernel (iopub) messages."""

    msg_id: str
    pieces: List[Any] = field(default_factory=list)  # str (text) or DataItem, in arrival order
    error: Optional[str] = None
    done: bool = False
    timed_out: bool = False
    restarted: bool = False  # the kernel did not stop on interrupt and was restarted: its state is gone

    def feed(self, msg: Dict[str, Any]) -> bool:
        """Take one message; True once the kernel is idle again after this request."""
        parent = msg.get("parent_header") or {}
        if parent.get("msg_id") != self.msg_id:
            return self.done
        kind = (msg.get("header") or {}).get("msg_type") or msg.get("msg_type")
        content = msg.get("content") or {}
        if kind == "stream":
            self.pieces.append(str(content.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            self._take_bundle(content.get("data") or {})
        elif kind == "error":
            trace = _ANSI.sub("", "\n".join(content.get("traceback") or []))
            head = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
            # a failing %%bash/%%sh cell: the Python traceback of the magic says nothing about the shell code
            shell_failure = content.get("ename") == "CalledProcessError" and "run_cell_magic" in trace
            self.error = head if shell_failure else f"{head}\n{trace}".rstrip()
        elif kind == "status" and content.get("execution_state") == "idle":
            self.done = True
        return self.done

    def _take_bundle(self, bundle: Dict[str, Any]) -> None:
        rich = [m for m in bundle if m.startswith("image/") or m == "text/html"]
        for mime in rich:
            self.pieces.append(DataItem(mime, bundle[mime]))
        if rich:
            return  # the text/plain of a figure ("<Figure size ...>") adds nothing
        for mime, data in bundle.items():
            text = data if mime == "text/plain" else json.dumps(data)
            self.pieces.append(f"{text}\n")

    @property
    def text(self) -> str:
        return "".join(p for p in self.pieces if isinstance(p, str))

    @property
    def data_items(self) -> List[DataItem]:
        return [p for p in self.pieces if isinstance(p, DataItem)]


def _save(item: DataItem, output_dir: Path) -> Optional[Path]:
    if item.mime_type == "text/html":
        path = output_dir / f"{uuid.uuid4().hex}.html"
        path.write_text(str(item.data), encoding="utf-8")
        return path
    ext = _IMAGE_EXTENSIONS.get(item.mime_type)
    if ext is None:
        return None
    path = output_dir / f"{uuid.uuid4().hex}.{ext}"
    if ext == "svg":
        path.write_text(str(item.data), encoding="utf-8")
    else:
        path.write_bytes(base64.b64decode(item.data))
    return path


def render_results(runs: Sequence[KernelOutput], output_dir: Path, timeout: float) -> IPythonCodeResult:
    """One result for the blocks run: their text in order, rich outputs saved as files in ``output_dir``.

    Exit code 0, 1 when the last block raised, 124 when it ran past ``timeout`` and was interrupted.
    """
    parts: List[str] = []
    files: List[str] = []
    exit_code = 0
    for run in runs:
        for piece in run.pieces:
            if isinstance(piece, str):
                parts.append(piece)
                continue
            path = _save(piece, output_dir)
            if path is None:
                parts.append(f"{json.dumps(piece.data)}\n")
            else:
                kind = "HTML" if piece.mime_type == "text/html" else "Image"
                parts.append(f"{kind} data saved to {path}\n")
                files.append(str(path))
        if run.timed_out:
            ending = (
                "the kernel did not stop when interrupted and was restarted, state lost: variables, imports "
                "and functions of earlier blocks are gone; define them again."
                if run.restarted
                else "the kernel was interrupted."
            )
            parts.append(f"ERROR: {TIMEOUT_MSG} waiting for output from code block (more than {timeout:g} s); {ending}")
            exit_code = 124
            break
        if run.error is not None:
            parts.append(f"ERROR: {run.error}")
            exit_code = 1
            break
    return IPythonCodeResult(exit_code=exit_code, output="".join(parts), output_files=files)
