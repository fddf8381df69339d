"""One trial: run a prepared trial folder in isolation and write its ``trial.json``.

Also the packing used to send a trial folder to another machine (the Ray backend) and to bring it back.
"""

from __future__ import annotations

import io
import socket
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import BenchError
from .isolation import Isolation, cancelled, run_isolated
from .results import TRIAL_FILE, read_trial, utc_now, write_json

__all__ = ["TrialJob", "TrialCancelled", "run_trial", "pack_folder", "unpack_folder", "run_packed_trial"]


class TrialCancelled(Exception):
    """The run was interrupted while this trial ran; it is left unfinished, to be run again on resume."""


@dataclass(frozen=True)
class TrialJob:
    """A trial to run: which task, which repetition, and where its folder is."""

    tasks_name: str
    task_id: str
    trial: int
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.task_id} #{self.trial}"


def run_trial(
    folder: Path,
    isolation: Isolation,
    config_json: str,
    *,
    backend: str = "local",
    labels: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the prepared trial in ``folder`` and write its ``trial.json``; returns that record plus ``status``."""
    env = {
        "OAI_CONFIG_LIST": config_json,
        "AUTOGEN_USE_DOCKER": "False",  # the trial already is the isolation unit: code runs where the scenario runs
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # keep __pycache__ folders out of the results
    }
    for key, value in (labels or {}).items():
        env[f"AGBENCH_{key.upper()}"] = str(value)
    (folder / TRIAL_FILE).unlink(missing_ok=True)
    started_at = utc_now()
    start = time.monotonic()
    exit_code, timed_out = run_isolated(folder, isolation, env)
    duration = time.monotonic() - start
    if cancelled():
        raise TrialCancelled(str(folder))
    record = {
        **(labels or {}),
        "started_at": started_at,
        "finished_at": utc_now(),
        "duration_seconds": round(duration, 3),
        "exit_code": exit_code,
        "timed_out": timed_out,
        "isolation": isolation.describe(),
        "backend": backend,
        "host": socket.gethostname(),
    }
    write_json(folder / TRIAL_FILE, record)
    return {**record, "status": read_trial(folder).status}


# ----------------------------------------------------------------------------------------------------------------
# moving trial folders between machines


def pack_folder(folder: Path) -> bytes:
    """The folder's files as a gzipped tar archive (paths relative to the folder)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def unpack_folder(data: bytes, folder: Path) -> None:
    """Extract an archive made by :func:`pack_folder` into ``folder``, refusing anything that would leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        # trial.json marks the trial as done: write it last, so that an interrupted unpack leaves it unfinished.
        members = sorted(archive.getmembers(), key=lambda m: m.name == TRIAL_FILE)
        for member in members:
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise BenchError(f"Refusing to unpack {member.name!r}: not a plain file inside the trial folder.")
            target = folder.joinpath(*name.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                continue
            with source, open(target, "wb") as out:
                out.write(source.read())
            target.chmod(member.mode & 0o777 | 0o600)


def run_packed_trial(
    archive: bytes, isolation: Isolation, config_json: str, backend: str, labels: dict[str, Any]
) -> tuple[bytes, dict[str, Any]]:
    """Unpack a trial folder into a scratch directory, run it, and return the packed folder and the record.

    This is what a Ray task runs, on whichever node Ray picks.
    """
    with tempfile.TemporaryDirectory(prefix="autogenbench-trial-") as scratch:
        folder = Path(scratch) / "trial"
        unpack_folder(archive, folder)
        record = run_trial(folder, isolation, config_json, backend=backend, labels=labels)
        return pack_folder(folder), record
