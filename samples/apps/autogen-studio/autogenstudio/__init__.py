"""AutoGen Studio: build agents, skills and workflows in the browser, run them, publish sessions."""

from __future__ import annotations

from .datamodel import AgentConfig, LLMConfig, ModelConfig, SkillConfig, WorkFlowConfig
from .workflowmanager import AutoGenWorkFlowManager, WorkflowRunResult

__version__ = "0.1.0"

__all__ = [
    "AgentConfig",
    "AutoGenWorkFlowManager",
    "LLMConfig",
    "ModelConfig",
    "SkillConfig",
    "WorkFlowConfig",
    "WorkflowRunResult",
    "__version__",
]
