"""AutoGenBench's runtime inside a trial folder.

AutoGenBench copies this file into every trial folder as ``agbench.py``. It has two uses there:

* ``python agbench.py`` runs the trial: installs ``requirements.txt`` (when present) into a scratch directory, then
  runs ``scenario.py`` with a time limit (``AGBENCH_TIMEOUT`` seconds; exit code 124 when it is exceeded) and exits
  with the scenario's exit code. Its output is the trial's console log.
* ``import agbench`` gives a scenario the helpers it needs to talk to the model and to record what happened:
  :func:`config_list`, :func:`llm_config` and :func:`record` (which writes ``messages.json`` and ``result.json``).

Only the standard library is imported at module level: autogen is imported by the helpers that need it, so the
runner works even where autogen is missing (the scenario then fails with a clear import error in the log).
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

# Written by record(); read by ``autogenbench tabulate``.
RESULT_FILE = "result.json"
MESSAGES_FILE = "messages.json"
TIMEOUT_EXIT_CODE = 124
_MARK = "AUTOGENBENCH:"


# ----------------------------------------------------------------------------------------------------------------
# helpers for scenarios


def config_list(filter_dict: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """The model configurations AutoGenBench passed to this trial (the ``OAI_CONFIG_LIST`` environment variable)."""
    import autogen

    configs: list[dict[str, Any]] = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict=filter_dict)
    if not configs:
        raise RuntimeError("The OAI_CONFIG_LIST given to this trial has no configuration (after filtering).")
    return configs


def llm_config(**extra: Any) -> dict[str, Any]:
    """An ``llm_config`` over :func:`config_list` with the cache off.

    Each trial must ask the model for itself: with a cache, repeated trials would replay the first one's answers.
    """
    return {"config_list": config_list(), "cache_seed": None, **extra}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _conversations(agents: Iterable[Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for agent in agents:
        chats = getattr(agent, "chat_messages", None) or {}
        out[str(agent.name)] = {str(getattr(peer, "name", peer)): list(messages) for peer, messages in chats.items()}
    return out


def _usage(agents: Sequence[Any]) -> tuple[dict[str, int], float, dict[str, Any]]:
    from autogen import gather_usage_summary

    summary = gather_usage_summary(agents)["usage_including_cached_inference"]
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    by_model: dict[str, Any] = {}
    for model, data in summary.items():
        if model == "total_cost" or not isinstance(data, dict):
            continue
        by_model[model] = dict(data)
        for key in totals:
            totals[key] += int(data.get(key, 0) or 0)
    return totals, float(summary.get("total_cost", 0) or 0), by_model


def record(
    agents: Sequence[Any],
    *,
    success: bool,
    messages: Optional[Sequence[dict[str, Any]]] = None,
    extra: Optional[dict[str, Any]] = None,
    folder: str | os.PathLike[str] = ".",
) -> dict[str, Any]:
    """Record the outcome of the trial; call it once, at the end of ``scenario.py``.

    ``agents``: every agent that took part (their conversations go to ``messages.json``, and their LLM usage and
    cost to ``result.json``; include a group chat manager, which pays for speaker selection). ``success``: the
    task's success signal. ``messages``: the main conversation (e.g. ``groupchat.messages``); by default the
    longest conversation of any agent. Its length is the number of turns. ``extra``: more fields for
    ``result.json``. Returns what was written to ``result.json``.
    """
    conversations = _conversations(agents)
    if messages is None:
        longest: list[dict[str, Any]] = []
        for peers in conversations.values():
            for chat in peers.values():
                if len(chat) > len(longest):
                    longest = chat
        messages = longest
    usage, cost, by_model = _usage(agents)
    result: dict[str, Any] = {
        "success": bool(success),
        "turns": len(messages),
        "usage": usage,
        "cost": cost,
        "usage_by_model": by_model,
        "recorded_at": _now(),
    }
    if extra:
        result.update(extra)
    base = Path(folder)
    _write_json(base / MESSAGES_FILE, {"chat": list(messages), "agents": conversations})
    _write_json(base / RESULT_FILE, result)
    print(f"{_MARK} success={result['success']} turns={result['turns']} tokens={usage['total_tokens']} cost={cost:.6f}")
    return result


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_jsonable(data), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


# ----------------------------------------------------------------------------------------------------------------
# the runner: python agbench.py


def _install_requirements(requirements: Path, env: dict[str, str]) -> tuple[int, Optional[str]]:
    """pip install the requirements into a scratch directory that is put first on PYTHONPATH."""
    if not requirements.is_file() or not requirements.read_text(encoding="utf-8").strip():
        return 0, None
    target = tempfile.mkdtemp(prefix="agbench-requirements-")
    print(f"{_MARK} installing {requirements} into {target}", flush=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--target",
        target,
        "-r",
        str(requirements),
    ]
    pip_env = dict(env, PIP_BREAK_SYSTEM_PACKAGES="1", PIP_ROOT_USER_ACTION="ignore")
    code = subprocess.call(command, env=pip_env)
    if code != 0:
        print(f"{_MARK} pip could not install {requirements} (exit code {code})", flush=True)
        return code, target
    env["PYTHONPATH"] = os.pathsep.join(p for p in (target, env.get("PYTHONPATH", "")) if p)
    return 0, target


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 5) -> None:
    """End ``process`` and everything it started (it runs in its own process group): TERM, then KILL after
    ``grace`` seconds. Also used by the harness for native trials."""
    if process.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    if process.poll() is None:
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except ProcessLookupError:
            pass
        process.wait()


def main(argv: Optional[Sequence[str]] = None) -> int:
    folder = Path(argv[0]) if argv else Path(".")
    os.chdir(folder)
    started = time.monotonic()
    print(f"{_MARK} trial started at {_now()} in {Path.cwd()} (python {sys.version.split()[0]})", flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    code, scratch = _install_requirements(Path("requirements.txt"), env)
    try:
        if code != 0:
            return code
        timeout = float(env.get("AGBENCH_TIMEOUT") or 0) or None
        process = subprocess.Popen([sys.executable, "scenario.py"], env=env, start_new_session=os.name == "posix")

        def on_signal(signum: int, _frame: Any) -> None:
            stop_process_group(process)
            print(f"{_MARK} stopped by signal {signum}", flush=True)
            sys.exit(128 + signum)

        if os.name == "posix":
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_process_group(process)
            print(f"{_MARK} scenario.py exceeded the time limit of {timeout:g} s and was stopped", flush=True)
            code = TIMEOUT_EXIT_CODE
        print(f"{_MARK} scenario.py exited with code {code} after {time.monotonic() - started:.1f} s", flush=True)
        return code
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
