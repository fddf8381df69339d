"""The classic scenario helpers, copied into every trial folder as ``testbed_utils.py``.

Scenario templates written for the classic AutoGenBench do::

    import testbed_utils
    testbed_utils.init()
    llm_config = testbed_utils.default_llm_config(config_list, timeout=180)
    ...
    testbed_utils.finalize(agents=[assistant, user_proxy])

``init`` notes the start and turns runtime logging on (``logs.db`` in the trial folder); ``finalize`` writes each
agent's conversations to ``<agent name>_messages.json`` and turns logging off. New scenarios can use ``agbench``
(``agbench.record``) instead, which also writes the success signal that ``autogenbench tabulate`` reads.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, Iterable, List

HERE = Path(__file__).resolve().parent
LOG_DB = "logs.db"
TIMESTAMP_FILE = "timestamp.txt"


def init() -> None:
    """Record when the scenario started and with which autogen, and start runtime logging into ``logs.db``."""
    import autogen

    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    (HERE / TIMESTAMP_FILE).write_text(f"Timestamp: {started}\npyautogen version: {autogen.__version__}\n")
    autogen.runtime_logging.start(config={"dbname": str(HERE / LOG_DB)})


def default_llm_config(config_list: List[Dict[str, Any]], timeout: int = 180) -> Dict[str, Any]:
    """An ``llm_config`` for a trial: the given configs, a request timeout, and no cache (each trial asks anew)."""
    return {"config_list": config_list, "timeout": timeout, "cache_seed": None}


def _conversations(agent: Any) -> Dict[str, List[Dict[str, Any]]]:
    return {getattr(peer, "name", str(peer)): list(messages) for peer, messages in agent.chat_messages.items()}


def finalize(agents: Iterable[Any]) -> None:
    """Write each agent's conversations to ``<agent name>_messages.json`` and stop runtime logging."""
    import autogen

    for agent in agents:
        path = HERE / f"{agent.name}_messages.json"
        path.write_text(json.dumps(_conversations(agent), indent=4, default=str), encoding="utf-8")
    autogen.runtime_logging.stop()
