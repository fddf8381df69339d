"""Turn a :class:`WorkFlowConfig` into autogen agents and run it.

    from autogenstudio import AutoGenWorkFlowManager, WorkFlowConfig
    result = AutoGenWorkFlowManager(WorkFlowConfig.model_validate(json_data), work_dir="out").run(message="...")

Skills are written to ``skills.py`` in the work directory, so code the agents run there can
``from skills import <function>``; agents that use a model are told which skill functions exist.
Code runs through autogen's executors: Docker when ``autogen.code_utils.decide_use_docker`` says so (the default,
``AUTOGEN_USE_DOCKER`` turns it off) and a daemon answers, else locally, with a warning.

With ``state_file`` the conversation is checkpointed with :mod:`autogen.state` at every reply start (and when a run
ends); a manager built later on the same file loads it, so a follow-up continues with the agents' memories.
With ``ask_human`` an agent whose ``human_input_mode`` asks for input gets the answer from that callable.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

from autogen.io import IOStream

from .datamodel import AgentConfig, LLMConfig, WorkFlowConfig, check_skill_code
from .workflowgraph import transitions_dict

logger = logging.getLogger(__name__)

Event = Dict[str, Any]
EventCallback = Callable[[Event], None]
AskHuman = Callable[[str], str]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")

LOCAL_EXECUTION_WARNING = (
    "Code runs LOCALLY on this machine, without a Docker sandbox (Docker is off or its daemon does not answer). "
    "Set AUTOGEN_USE_DOCKER=1 and start Docker to run agent code in a container."
)


@dataclass
class WorkflowRunResult:
    final_answer: str
    messages: List[Event]
    time_seconds: float
    cost: float
    files: List[str]
    executor: str
    warnings: List[str] = field(default_factory=list)
    usage: List[Dict[str, Any]] = field(default_factory=list)
    started: float = 0.0

    def to_dict(self) -> Dict[str, Any]:
        return {
            "final_answer": self.final_answer,
            "messages": self.messages,
            "time": round(self.time_seconds, 3),
            "cost": self.cost,
            "files": self.files,
            "executor": self.executor,
            "warnings": self.warnings,
            "usage": self.usage,
            "started": self.started,
        }


class _SessionStream(IOStream):
    """An autogen IOStream for one run: printed text becomes "log" events; input goes to ``ask`` when given."""

    def __init__(self, emit: EventCallback, ask: Optional[AskHuman] = None) -> None:
        self._emit = emit
        self._ask = ask

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        text = sep.join(str(o) for o in objects)
        if text.strip():
            self._emit({"type": "log", "text": text})

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        # Without a person to ask (the Python API), an empty answer lets auto-reply go on.
        return self._ask(prompt) if self._ask is not None else ""


def _is_termination(message: Dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, str) and content.rstrip().endswith("TERMINATE")


def list_files(work_dir: Path) -> List[str]:
    """Files in ``work_dir`` (relative POSIX paths), without the executors' scratch code files."""
    if not work_dir.is_dir():
        return []
    out = []
    for path in sorted(work_dir.rglob("*")):
        rel = path.relative_to(work_dir)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if rel.name.startswith("tmp_code_") or rel.name == "skills.py" or "__pycache__" in rel.parts:
            continue
        out.append(rel.as_posix())
    return out


def usage_by_agent(agents: List[Any]) -> List[Dict[str, Any]]:
    """Tokens and cost of each agent per model (answers from the cache included), one row per (agent, model)."""
    from autogen.agentchat.utils import usage_of

    rows = []
    for agent in agents:
        for model, data in (usage_of(agent, "total") or {}).items():
            if model == "total_cost" or not isinstance(data, dict):
                continue
            row = {"agent": agent.name, "model": model, "cost": float(data.get("cost", 0) or 0)}
            for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                row[key] = int(data.get(key, 0) or 0)
            rows.append(row)
    return rows


class AutoGenWorkFlowManager:
    """Build the agents of a workflow and run a task through them."""

    def __init__(
        self,
        config: Union[WorkFlowConfig, Dict[str, Any]],
        work_dir: Union[str, Path, None] = None,
        on_event: Optional[EventCallback] = None,
        history: Optional[List[Dict[str, Any]]] = None,
        state_file: Union[str, Path, None] = None,
        ask_human: Optional[AskHuman] = None,
    ) -> None:
        self.config = config if isinstance(config, WorkFlowConfig) else WorkFlowConfig.model_validate(config)
        self.work_dir = Path(work_dir or "studio_work").resolve()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.on_event = on_event
        self.ask_human = ask_human
        self.state_file = Path(state_file) if state_file is not None else None
        self.resumed = False
        self.messages: List[Event] = []
        self.warnings: List[str] = []
        self.executor_kind = "none"
        self._executor: Any = None
        self._history = history or []
        self._write_skills()
        self.agents: List[Any] = []
        self.sender = self._build(self.config.sender)
        if self.config.type == "twoagents":
            assert self.config.receiver is not None
            self.receiver = self._build(self.config.receiver)
        else:
            self.receiver = self._build_groupchat()
        self._files_seen = self._file_stamps()
        self._load_state()

    # ----------------------------------------------------------------------------------------- state --
    def _load_state(self) -> None:
        if self.state_file is None or not self.state_file.is_file():
            return
        from autogen import state

        saved = state.FileStore(self.state_file).load()
        if saved is not None:
            state.load_chat(self.sender, self.receiver, saved)
            self.resumed = True

    def _checkpointer(self) -> Any:
        from contextlib import nullcontext

        if self.state_file is None:
            return nullcontext()
        from autogen import state

        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        return state.Checkpointer(self.sender, self.receiver, state.FileStore(self.state_file))

    # ---------------------------------------------------------------------------------------- files --
    def _file_stamps(self) -> Dict[str, float]:
        stamps = {}
        for rel in list_files(self.work_dir):
            try:
                stamps[rel] = (self.work_dir / rel).stat().st_mtime
            except OSError:
                continue
        return stamps

    def _new_files(self) -> List[Dict[str, Any]]:
        """Files written or changed in the work dir since the last message: the output of the code just run."""
        now = self._file_stamps()
        changed = [rel for rel, stamp in now.items() if self._files_seen.get(rel) != stamp]
        self._files_seen = now
        return [{"path": rel, "image": rel.lower().endswith(IMAGE_SUFFIXES)} for rel in changed]

    # ---------------------------------------------------------------------------------------- events --
    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a broken listener must not stop the run
                logger.exception("event listener failed")

    def _hook(self, sender: Any, message: Any, recipient: Any, silent: bool) -> Any:
        msg: Dict[str, Any] = {"content": message} if isinstance(message, str) else dict(message or {})
        event: Event = {
            "type": "message",
            "sender": sender.name,
            "recipient": recipient.name,
            "content": msg.get("content"),
            "timestamp": time.time(),
        }
        if msg.get("tool_calls"):
            event["tool_calls"] = [
                {"name": c.get("function", {}).get("name"), "arguments": c.get("function", {}).get("arguments")}
                for c in msg["tool_calls"]
            ]
        if msg.get("function_call"):
            event["function_call"] = msg["function_call"]
        if msg.get("tool_responses"):
            event["tool_responses"] = msg["tool_responses"]
        if msg.get("role") in ("tool", "function"):
            event["role"] = msg["role"]
        files = self._new_files()
        if files:
            event["files"] = files
        # the top-level conversation is between the sender and the receiver; the rest happens inside a group
        event["inner"] = {sender.name, recipient.name} != {self.sender.name, self.receiver.name}
        self.messages.append(event)
        self._emit(event)
        return message

    # ------------------------------------------------------------------------------------- building --
    def _all_skills(self) -> List[Any]:
        seen: Dict[str, Any] = {}
        agents = [self.config.sender]
        if self.config.receiver:
            agents.append(self.config.receiver)
        if self.config.groupchat:
            agents.extend(self.config.groupchat.agents)
        for agent in agents:
            for skill in agent.skills:
                seen.setdefault(skill.name, skill)
        return list(seen.values())

    def _write_skills(self) -> None:
        skills = self._all_skills()
        if not skills:
            return
        parts = ["# Skills written by AutoGen Studio: `from skills import <name>` in code run here.\n"]
        for skill in skills:
            check_skill_code(skill.content)
            parts.append(f"# --- skill: {skill.name}\n{skill.content.rstrip()}\n")
        (self.work_dir / "skills.py").write_text("\n\n".join(parts), encoding="utf-8")

    def _executor_config(self) -> Dict[str, Any]:
        if self._executor is None:
            from autogen.code_utils import decide_use_docker, in_docker_container, is_docker_running

            use_docker = decide_use_docker(None)
            if use_docker and not in_docker_container() and is_docker_running():
                from autogen.coding import DockerCommandLineCodeExecutor

                self._executor = DockerCommandLineCodeExecutor(work_dir=self.work_dir, timeout=60)
                self.executor_kind = "docker"
            else:
                from autogen.coding import LocalCommandLineCodeExecutor

                self._executor = LocalCommandLineCodeExecutor(work_dir=self.work_dir, timeout=60)
                self.executor_kind = "local"
                warnings.warn(LOCAL_EXECUTION_WARNING, UserWarning, stacklevel=3)
                self.warnings.append(LOCAL_EXECUTION_WARNING)
                self._emit({"type": "warning", "text": LOCAL_EXECUTION_WARNING})
        return {"executor": self._executor, "last_n_messages": 3}

    @staticmethod
    def _llm_config(llm: Optional[LLMConfig]) -> Union[Dict[str, Any], bool]:
        if llm is None or not llm.config_list:
            return False
        return {
            "config_list": [m.to_autogen() for m in llm.config_list],
            "temperature": llm.temperature,
            "cache_seed": llm.cache_seed,
            "timeout": llm.timeout,
        }

    def _system_message(self, cfg: AgentConfig) -> str:
        message = cfg.system_message or (
            "You are a helpful AI assistant. Solve tasks with your language skills or by writing Python code in "
            "```python blocks for the user to run. Reply TERMINATE when the task is done."
        )
        if cfg.skills and cfg.llm_config is not None:
            lines = [f"- {s.name}: {s.description or 'see skills.py'}" for s in cfg.skills]
            message += (
                "\n\nYou can use these Python functions in code you write, after `from skills import <name>`:\n"
                + "\n".join(lines)
            )
        return message

    def _build(self, cfg: AgentConfig) -> Any:
        from autogen import AssistantAgent, UserProxyAgent

        llm = self._llm_config(cfg.llm_config)
        code = self._executor_config() if cfg.code_execution else False
        common: Dict[str, Any] = {
            "name": cfg.name,
            "description": cfg.description or None,
            "human_input_mode": cfg.human_input_mode,
            "max_consecutive_auto_reply": cfg.max_consecutive_auto_reply,
            "is_termination_msg": _is_termination,
            "code_execution_config": code,
            "llm_config": llm,
        }
        agent: Any
        if cfg.type == "userproxy":
            agent = UserProxyAgent(system_message=cfg.system_message or "You are a helpful assistant.", **common)
        else:
            agent = AssistantAgent(system_message=self._system_message(cfg), **common)
        agent.register_hook("process_message_before_send", self._hook)
        self.agents.append(agent)
        return agent

    def _build_groupchat(self) -> Any:
        from autogen import GroupChat, GroupChatManager

        gc = self.config.groupchat
        assert gc is not None
        members = [self._build(a) for a in gc.agents]
        manager_llm = gc.manager_llm_config or next((a.llm_config for a in gc.agents if a.llm_config), None)
        graph: Dict[str, Any] = {}
        if gc.allowed_transitions:
            by_name = {a.name: a for a in members}
            edges = [(by_name[a], by_name[b]) for a, targets in gc.allowed_transitions.items() for b in targets]
            graph = {
                "allowed_or_disallowed_speaker_transitions": transitions_dict(members, edges),
                "speaker_transitions_type": "allowed",
            }
        groupchat = GroupChat(
            agents=members,
            messages=[],
            max_round=gc.max_round,
            speaker_selection_method=gc.speaker_selection_method,
            **graph,
        )
        manager = GroupChatManager(
            groupchat=groupchat,
            name="group_chat_manager",
            llm_config=self._llm_config(manager_llm),
            is_termination_msg=_is_termination,
        )
        # no hook on the manager: it relays every message to each member, which would repeat them all
        self.agents.append(manager)
        return manager

    # ------------------------------------------------------------------------------------------ run --
    def run(self, message: str, clear_history: bool = True) -> WorkflowRunResult:
        """Send ``message`` from the sender to the receiver (or group chat) and run until the chat ends.

        ``clear_history=False`` continues the previous conversation of these agents (a follow-up task).
        """
        start = time.time()
        self._emit({"type": "status", "status": "running"})
        self._files_seen = self._file_stamps()
        checkpointer = self._checkpointer()
        with IOStream.set_default(_SessionStream(self._emit, self.ask_human)), checkpointer:
            result = self.sender.initiate_chat(
                self.receiver,
                message=message,
                clear_history=clear_history and not self.resumed,
                summary_method=self.config.summary_method,
            )
            if self.state_file is not None:
                checkpointer.save(None, status="done")
        elapsed = time.time() - start
        summary = result.summary if isinstance(result.summary, str) else str(result.summary or "")
        final = summary.replace("TERMINATE", "").strip()
        # an initiator outside the group only holds its own message: the group's last word is the answer
        if not final or (self.config.type == "groupchat" and self.config.summary_method == "last_msg"):
            for event in reversed(self.messages):
                text = event.get("content")
                if isinstance(text, str) and text.replace("TERMINATE", "").strip():
                    final = text.replace("TERMINATE", "").strip()
                    break
        per_agent = usage_by_agent(self.agents)
        cost = sum(row["cost"] for row in per_agent)
        for agent in self.agents:  # the next run counts its own usage
            client = getattr(agent, "client", None)
            if client is not None:
                client.clear_usage_summary()
        return WorkflowRunResult(
            final_answer=final,
            messages=list(self.messages),
            time_seconds=elapsed,
            cost=cost,
            files=list_files(self.work_dir),
            executor=self.executor_kind,
            warnings=list(self.warnings),
            usage=per_agent,
            started=start,
        )

    def close(self) -> None:
        if self._executor is not None and hasattr(self._executor, "stop"):
            try:
                self._executor.stop()
            except Exception:
                logger.exception("stopping the code executor failed")
