"""Code execution: code blocks, results, the executor protocol and the executors.

Names resolve lazily (PEP 562): importing this package loads no executor, no docker SDK and no Jupyter
client until one is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .base import (
        CodeBlock,
        CodeExecutionConfig,
        CodeExecutor,
        CodeExtractor,
        CodeResult,
        CommandLineCodeResult,
        IPythonCodeResult,
    )
    from .docker_commandline_code_executor import DockerCommandLineCodeExecutor
    from .errors import (
        CodeExecutionError,
        ContainerStartError,
        DockerImageNotFoundError,
        DockerNotRunningError,
        MissingExtraError,
    )
    from .factory import CodeExecutorFactory, executor_from_config
    from .func_with_reqs import Alias, FunctionWithRequirements, ImportFromModule, with_requirements
    from .legacy import LegacyCodeExecutor
    from .local_commandline_code_executor import (
        CommandlineCodeResult,
        LocalCommandLineCodeExecutor,
        LocalCommandlineCodeExecutor,
    )
    from .markdown_code_extractor import MarkdownCodeExtractor

_EXPORTS: dict[str, str] = {
    "CodeBlock": ".base",
    "CodeResult": ".base",
    "CommandLineCodeResult": ".base",
    "IPythonCodeResult": ".base",
    "CodeExtractor": ".base",
    "CodeExecutor": ".base",
    "CodeExecutionConfig": ".base",
    "MarkdownCodeExtractor": ".markdown_code_extractor",
    "CodeExecutorFactory": ".factory",
    "executor_from_config": ".factory",
    "LocalCommandLineCodeExecutor": ".local_commandline_code_executor",
    "LocalCommandlineCodeExecutor": ".local_commandline_code_executor",
    "CommandlineCodeResult": ".local_commandline_code_executor",
    "DockerCommandLineCodeExecutor": ".docker_commandline_code_executor",
    "LegacyCodeExecutor": ".legacy",
    "FunctionWithRequirements": ".func_with_reqs",
    "with_requirements": ".func_with_reqs",
    "Alias": ".func_with_reqs",
    "ImportFromModule": ".func_with_reqs",
    "CodeExecutionError": ".errors",
    "DockerNotRunningError": ".errors",
    "DockerImageNotFoundError": ".errors",
    "ContainerStartError": ".errors",
    "MissingExtraError": ".errors",
}

__all__ = list(_EXPORTS)

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
