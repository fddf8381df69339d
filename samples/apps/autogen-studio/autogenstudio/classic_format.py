"""The classic AutoGen Studio (0.0.x / 0.1) JSON files of skills, models, agents and workflows.

A classic agent is a *flow spec*: ``{"type": "assistant" | "userproxy", "config": {name, llm_config{config_list,
...}, human_input_mode, max_consecutive_auto_reply, system_message, code_execution_config, ...}, "skills": [...]}``;
a group chat is a flow spec of type ``"groupchat"`` whose ``groupchat_config`` lists the member agents; a workflow
is ``{"name", "description", "type": "twoagents" | "groupchat", "sender": <agent>, "receiver": <agent or group
chat>, "summary_method": "last" | "llm" | "none"}``; a skill is ``{"title" (0.0.x) or "name" (0.1), "content",
"description"}``; a model is ``{"model", "api_key", "base_url", "api_type", "api_version", "description"}``.

This module turns those shapes into Studio's own runnable configuration (``WorkFlowConfig`` and friends), stores
them as Studio records (agents referring to models and skills by id), and writes them back in the classic shape.
Exported files never carry API keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .datamodel import (
    AgentConfig,
    AgentIn,
    GroupChatConfig,
    HumanInputMode,
    LLMConfig,
    ModelConfig,
    ModelIn,
    SkillConfig,
    SkillIn,
    SpeakerSelection,
    WorkFlowConfig,
    WorkflowIn,
    check_skill_code,
)

Kind = Literal["skill", "model", "agent", "workflow"]
KINDS = ("skill", "model", "agent", "workflow")
_SUMMARY_IN = {"last": "last_msg", "none": "last_msg", "llm": "reflection_with_llm"}
_SUMMARY_OUT = {"last_msg": "last", "reflection_with_llm": "llm"}
_CLASSIC_CODE_EXECUTION = {"work_dir": None, "use_docker": False}  # what classic Studio's own files carried


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ClassicSkill(_Loose):
    title: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = ""
    content: str


class ClassicModel(_Loose):
    model: str
    api_key: Optional[str] = None
    base_url: Optional[str] = None
    api_type: Optional[str] = None
    api_version: Optional[str] = None
    description: Optional[str] = ""


class ClassicLLMConfig(_Loose):
    config_list: List[ClassicModel] = Field(default_factory=list)
    temperature: float = 0.0
    cache_seed: Optional[int] = None
    timeout: Optional[int] = None


class ClassicAgentConfig(_Loose):
    name: str
    llm_config: Union[ClassicLLMConfig, bool, None] = None
    human_input_mode: HumanInputMode = "NEVER"
    max_consecutive_auto_reply: int = 10
    system_message: Optional[str] = ""
    code_execution_config: Union[bool, str, Dict[str, Any], None] = False
    description: Optional[str] = None


class ClassicGroupChatConfig(_Loose):
    agents: List[ClassicAgent] = Field(default_factory=list)
    max_round: int = 10
    speaker_selection_method: SpeakerSelection = "auto"


class ClassicAgent(_Loose):
    type: Literal["assistant", "userproxy", "groupchat"] = "assistant"
    config: ClassicAgentConfig
    description: Optional[str] = None
    skills: Optional[List[ClassicSkill]] = None  # classic files often carry null
    groupchat_config: Optional[ClassicGroupChatConfig] = None


class ClassicWorkflow(_Loose):
    name: str = "workflow"
    description: Optional[str] = ""
    type: Literal["twoagents", "groupchat"] = "twoagents"
    sender: ClassicAgent
    receiver: ClassicAgent
    summary_method: Optional[str] = "last"


ClassicGroupChatConfig.model_rebuild()

_SHAPES: Dict[str, type[BaseModel]] = {
    "skill": ClassicSkill,
    "model": ClassicModel,
    "agent": ClassicAgent,
    "workflow": ClassicWorkflow,
}


# ------------------------------------------------------------------------------------------- reading --
def detect_kind(data: Any) -> Kind:
    """Which classic entity a JSON object is, from the keys it has; ``ValueError`` when none fits."""
    if not isinstance(data, dict):
        raise ValueError(f"a classic Studio file holds one JSON object, got {type(data).__name__}")
    if "sender" in data and "receiver" in data:
        return "workflow"
    if isinstance(data.get("config"), dict):
        return "agent"
    if "content" in data:
        return "skill"
    if "model" in data:
        return "model"
    raise ValueError(
        "not a classic AutoGen Studio file: a workflow has 'sender' and 'receiver', an agent has 'type' and "
        "'config', a skill has 'content' (and 'title' or 'name'), a model has 'model'"
    )


def parse(data: Any, kind: Optional[str] = None) -> BaseModel:
    """Validate ``data`` as a classic entity (``kind`` or the detected one); ``ValueError`` names the problems."""
    kind = kind or detect_kind(data)
    if kind not in _SHAPES:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    try:
        return _SHAPES[kind].model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"not a valid classic {kind}: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
    )


def skill_config(skill: ClassicSkill) -> SkillConfig:
    """A classic skill as Studio's; a title that is not a Python name gives way to the function the code defines."""
    name = (skill.name or skill.title or "").strip()
    if name.endswith(".py"):
        name = name[:-3]
    try:
        functions = check_skill_code(skill.content)
    except ValueError as exc:
        raise ValueError(f"skill {name or '(unnamed)'!r}: {exc}") from None
    if not name.isidentifier():
        name = functions[0]
    return SkillConfig(name=name, description=skill.description or "", content=skill.content)


def model_config(model: ClassicModel) -> ModelConfig:
    return ModelConfig(
        model=model.model,
        api_key=model.api_key or None,
        base_url=model.base_url or None,
        api_type="azure" if (model.api_type or "").lower() == "azure" else "openai",
        api_version=model.api_version or None,
    )


def _llm(llm: Union[ClassicLLMConfig, bool, None]) -> Optional[LLMConfig]:
    if not isinstance(llm, ClassicLLMConfig) or not llm.config_list:
        return None
    return LLMConfig(
        config_list=[model_config(m) for m in llm.config_list],
        temperature=llm.temperature,
        cache_seed=llm.cache_seed,
        timeout=llm.timeout or 120,
    )


def agent_config(agent: ClassicAgent) -> AgentConfig:
    if agent.type == "groupchat":
        raise ValueError(
            f"agent {agent.config.name!r} is a group chat: import it as the receiver of a 'groupchat' workflow"
        )
    cfg = agent.config
    return AgentConfig(
        name=cfg.name,
        type=agent.type,
        description=agent.description or cfg.description or "",
        system_message=cfg.system_message or "",
        human_input_mode=cfg.human_input_mode,
        max_consecutive_auto_reply=cfg.max_consecutive_auto_reply,
        code_execution=bool(cfg.code_execution_config),
        llm_config=_llm(cfg.llm_config),
        skills=[skill_config(s) for s in agent.skills or []],
    )


def workflow_config(workflow: ClassicWorkflow) -> WorkFlowConfig:
    common: Dict[str, Any] = {
        "name": workflow.name,
        "description": workflow.description or "",
        "summary_method": _SUMMARY_IN.get(workflow.summary_method or "last", "last_msg"),
        "sender": agent_config(workflow.sender),
    }
    receiver = workflow.receiver
    if workflow.type == "twoagents":
        return WorkFlowConfig(type="twoagents", receiver=agent_config(receiver), **common)
    gc = receiver.groupchat_config
    if receiver.type != "groupchat" or gc is None:
        raise ValueError("a 'groupchat' workflow needs a receiver of type 'groupchat' with a groupchat_config")
    group = GroupChatConfig(
        agents=[agent_config(a) for a in gc.agents],
        speaker_selection_method=gc.speaker_selection_method,
        max_round=gc.max_round,
        manager_llm_config=_llm(receiver.config.llm_config),
    )
    return WorkFlowConfig(type="groupchat", groupchat=group, **common)


def load_workflow(data: Any) -> WorkFlowConfig:
    """A workflow from a classic file or from Studio's own export (``WorkFlowConfig`` JSON)."""
    if isinstance(data, dict) and isinstance(data.get("sender"), dict) and "config" not in data["sender"]:
        try:
            return WorkFlowConfig.model_validate(data)
        except ValidationError as exc:
            raise ValueError(f"not a valid Studio workflow: {exc.errors()[0]['msg']}") from None
    parsed = parse(data, "workflow")
    assert isinstance(parsed, ClassicWorkflow)
    return workflow_config(parsed)


def read_file(path: Union[str, Path]) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"no such file: {path}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from None


# ------------------------------------------------------------------------------------------- writing --
def skill_to_classic(skill: SkillConfig) -> Dict[str, Any]:
    return {
        "title": skill.name,
        "name": skill.name,
        "file_name": f"{skill.name}.py",
        "description": skill.description,
        "content": skill.content,
    }


def model_to_classic(model: ModelConfig, description: str = "") -> Dict[str, Any]:
    return {
        "model": model.model,
        "api_key": None,  # exported files never carry keys
        "base_url": model.base_url,
        "api_type": model.api_type,
        "api_version": model.api_version,
        "description": description,
    }


def _llm_to_classic(llm: Optional[LLMConfig]) -> Union[Dict[str, Any], bool]:
    if llm is None:
        return False
    return {
        "config_list": [model_to_classic(m) for m in llm.config_list],
        "temperature": llm.temperature,
        "cache_seed": llm.cache_seed,
        "timeout": llm.timeout,
    }


def _config(name: str, llm: Optional[LLMConfig], **fields: Any) -> Dict[str, Any]:
    return {
        "name": name,
        "llm_config": _llm_to_classic(llm),
        "human_input_mode": fields.get("human_input_mode", "NEVER"),
        "max_consecutive_auto_reply": fields.get("max_consecutive_auto_reply", 10),
        "system_message": fields.get("system_message", ""),
        "is_termination_msg": None,
        "code_execution_config": dict(_CLASSIC_CODE_EXECUTION) if fields.get("code_execution") else False,
        "default_auto_reply": "",
        "description": fields.get("description", ""),
    }


def agent_to_classic(agent: AgentConfig) -> Dict[str, Any]:
    fields = agent.model_dump(exclude={"name", "llm_config", "skills", "type"})
    return {
        "type": agent.type,
        "description": agent.description,
        "config": _config(agent.name, agent.llm_config, **fields),
        "skills": [skill_to_classic(s) for s in agent.skills],
    }


def workflow_to_classic(workflow: WorkFlowConfig) -> Dict[str, Any]:
    if workflow.type == "twoagents":
        assert workflow.receiver is not None
        receiver = agent_to_classic(workflow.receiver)
    else:
        gc = workflow.groupchat
        assert gc is not None
        manager_llm = gc.manager_llm_config or next((a.llm_config for a in gc.agents if a.llm_config), None)
        receiver = {
            "type": "groupchat",
            "description": "Group chat manager",
            "config": _config("group_chat_manager", manager_llm, system_message="Group chat manager"),
            "groupchat_config": {
                "agents": [agent_to_classic(a) for a in gc.agents],
                "admin_name": "Admin",
                "messages": [],
                "max_round": gc.max_round,
                "speaker_selection_method": gc.speaker_selection_method,
                "allow_repeat_speaker": True,
            },
            "skills": [],
        }
    return {
        "name": workflow.name,
        "description": workflow.description,
        "type": workflow.type,
        "sender": agent_to_classic(workflow.sender),
        "receiver": receiver,
        "summary_method": _SUMMARY_OUT.get(workflow.summary_method, "last"),
    }


# ------------------------------------------------------------------------------------------- storing --
def _same(a: Any, b: Any) -> bool:
    # an exported file's code or text may differ from the stored one in surrounding whitespace only
    return a.strip() == b.strip() if isinstance(a, str) and isinstance(b, str) else a == b


def _find(db: Any, kind: str, wanted: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    for record in db.list(kind):
        if all(_same(record.get(k), v) for k, v in wanted.items()):
            return record
    return None


def store_skill(db: Any, skill: SkillConfig) -> Dict[str, Any]:
    """The skill's record: an identical one already stored is reused."""
    data = SkillIn(name=skill.name, description=skill.description, content=skill.content).model_dump()
    return _find(db, "skill", {"name": data["name"], "content": data["content"]}) or db.create("skill", data)


def store_model(db: Any, model: ModelConfig, description: str = "") -> Dict[str, Any]:
    """The model's record: one with the same endpoint (and key, when the file has one) is reused."""
    data = ModelIn(
        model=model.model,
        api_key=model.api_key,
        base_url=model.base_url,
        api_type="azure" if model.api_type == "azure" else "openai",
        api_version=model.api_version,
        description=description,
    ).model_dump()
    same = {k: data[k] for k in ("model", "base_url", "api_type", "api_version")}
    if data["api_key"]:
        same["api_key"] = data["api_key"]
    return _find(db, "model", same) or db.create("model", data)


def store_agent(db: Any, agent: AgentConfig) -> Dict[str, Any]:
    models = agent.llm_config.config_list if agent.llm_config else []
    data = AgentIn(
        name=agent.name,
        type=agent.type,
        description=agent.description,
        system_message=agent.system_message,
        human_input_mode=agent.human_input_mode,
        max_consecutive_auto_reply=agent.max_consecutive_auto_reply,
        code_execution=agent.code_execution,
        model_ids=[store_model(db, m)["id"] for m in models],
        skill_ids=[store_skill(db, s)["id"] for s in agent.skills],
    )
    return db.create("agent", data.model_dump())


def store_workflow(db: Any, workflow: WorkFlowConfig) -> Dict[str, Any]:
    """The workflow's records (its agents, their models and skills, reused when identical ones are stored)."""
    sender_id = store_agent(db, workflow.sender)["id"]
    receiver_id = store_agent(db, workflow.receiver)["id"] if workflow.receiver else None
    gc = workflow.groupchat
    agent_ids = [store_agent(db, a)["id"] for a in gc.agents] if gc else []
    ids = dict(zip((a.name for a in gc.agents), agent_ids)) if gc else {}
    graph = gc.allowed_transitions if gc else {}
    data = WorkflowIn(
        name=workflow.name,
        description=workflow.description,
        type=workflow.type,
        sender_id=sender_id,
        receiver_id=receiver_id,
        agent_ids=agent_ids,
        transitions=[(ids[a], ids[b]) for a, targets in (graph or {}).items() for b in targets],
        speaker_selection_method=gc.speaker_selection_method if gc else "auto",
        max_round=gc.max_round if gc else 10,
        summary_method="reflection_with_llm" if workflow.summary_method == "reflection_with_llm" else "last_msg",
    )
    return db.create("workflow", data.model_dump())


def import_classic(db: Any, data: Any, kind: Optional[str] = None) -> tuple[str, Dict[str, Any]]:
    """Create the records a classic file describes; return its kind and the new (or reused) top record.

    ``ValueError`` (a pydantic ``ValidationError`` is one) names what is wrong with the file.
    """
    parsed = parse(data, kind)
    try:
        if isinstance(parsed, ClassicSkill):
            return "skill", store_skill(db, skill_config(parsed))
        if isinstance(parsed, ClassicModel):
            return "model", store_model(db, model_config(parsed), parsed.description or "")
        if isinstance(parsed, ClassicAgent):
            return "agent", store_agent(db, agent_config(parsed))
        assert isinstance(parsed, ClassicWorkflow)
        return "workflow", store_workflow(db, workflow_config(parsed))
    except ValidationError as exc:  # the file's values do not fit Studio's records (a name, a limit)
        raise ValueError(
            f"the classic {type(parsed).__name__[7:].lower()} cannot be stored: {_problems(exc)}"
        ) from None


def export_classic(studio: Any, kind: str, item_id: int) -> Optional[Dict[str, Any]]:
    """The classic JSON of a stored record, or None when there is no such record.

    ``studio`` is the web app's ``Studio`` state (its ``db``, ``agent_config`` and ``workflow_config``).
    """
    record = studio.db.get(kind, item_id)
    if record is None:
        return None
    if kind == "skill":
        return skill_to_classic(SkillConfig.model_validate(record))
    if kind == "model":
        return model_to_classic(ModelConfig.model_validate(record), record.get("description", ""))
    if kind == "agent":
        return agent_to_classic(studio.agent_config(item_id))
    if kind == "workflow":
        return workflow_to_classic(studio.workflow_config(record))
    raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
