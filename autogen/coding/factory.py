"""Turn a ``code_execution_config`` into a :class:`CodeExecutor`.

Two shapes are accepted:

* new style: ``{"executor": <executor instance> | "commandline-local" | "docker" | "ipython-embedded" |
  "jupyter-local", "<that name>": {keyword arguments of the executor}}``;
* classic: ``{"work_dir": ..., "use_docker": True | False | "image" | ["images"], "timeout": ...}``, which
  gives a :class:`LegacyCodeExecutor` running locally or in Docker according to ``use_docker`` (Docker by
  default, see :func:`autogen.code_utils.decide_use_docker`).

Agent-level keys such as ``last_n_messages`` are ignored here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping

from ..exception_utils import ConfigError
from .base import CodeExecutionConfig, CodeExecutor

__all__ = ("CodeExecutorFactory", "executor_from_config")


def _sub_config(config: Mapping[str, Any], *names: str) -> Dict[str, Any]:
    for name in names:
        value = config.get(name)
        if value is not None:
            if not isinstance(value, Mapping):
                raise ConfigError(
                    f"code_execution_config[{name!r}] must be a dict of keyword arguments, not {value!r}."
                )
            return dict(value)
    return {}


def _local(config: Mapping[str, Any]) -> CodeExecutor:
    from .local_commandline_code_executor import LocalCommandLineCodeExecutor

    return LocalCommandLineCodeExecutor(**_sub_config(config, "commandline-local"))


def _docker(config: Mapping[str, Any]) -> CodeExecutor:
    from .docker_commandline_code_executor import DockerCommandLineCodeExecutor

    return DockerCommandLineCodeExecutor(**_sub_config(config, "docker", "commandline-docker"))


def _ipython_embedded(config: Mapping[str, Any]) -> CodeExecutor:
    from .jupyter.embedded_ipython_code_executor import EmbeddedIPythonCodeExecutor

    return EmbeddedIPythonCodeExecutor(**_sub_config(config, "ipython-embedded"))


def _jupyter_local(config: Mapping[str, Any]) -> CodeExecutor:
    from .jupyter.jupyter_code_executor import JupyterCodeExecutor
    from .jupyter.local_jupyter_server import LocalJupyterServer

    kwargs = _sub_config(config, "jupyter-local")
    server = kwargs.pop("jupyter_server", None)
    if server is not None:
        return JupyterCodeExecutor(server, **kwargs)
    owned = LocalJupyterServer()
    try:
        executor = JupyterCodeExecutor(owned, **kwargs)
    except BaseException:
        owned.stop()
        raise
    executor._own(owned)
    return executor


_BUILDERS: Dict[str, Callable[[Mapping[str, Any]], CodeExecutor]] = {
    "commandline-local": _local,
    "local": _local,
    "docker": _docker,
    "commandline-docker": _docker,
    "ipython-embedded": _ipython_embedded,
    "jupyter-local": _jupyter_local,
}


def _classic(config: Mapping[str, Any]) -> CodeExecutor:
    from ..code_utils import resolve_docker_images
    from .legacy import LegacyCodeExecutor

    images = resolve_docker_images(config.get("use_docker"))
    return LegacyCodeExecutor(work_dir=config.get("work_dir"), docker_images=images, timeout=config.get("timeout"))


class CodeExecutorFactory:
    """Builds the executor a ``code_execution_config`` asks for."""

    @staticmethod
    def create(code_execution_config: CodeExecutionConfig) -> CodeExecutor:
        """The executor for ``code_execution_config`` (new style with ``"executor"``, or classic).

        Docker is probed at most once, here, and only when Docker is asked for.
        """
        config: Any = code_execution_config
        if not isinstance(config, Mapping):
            raise ConfigError(
                f"code_execution_config must be a dict or False. False disables code execution; got {config!r}."
            )
        if "executor" not in config:
            return _classic(config)
        executor = config["executor"]
        if isinstance(executor, str):
            builder = _BUILDERS.get(executor)
            if builder is None:
                raise ConfigError(
                    f"Unknown code executor {executor}; use one of {', '.join(sorted(_BUILDERS))}, "
                    "or pass an executor instance."
                )
            return builder(config)
        if isinstance(executor, CodeExecutor):
            return executor
        raise ConfigError(
            f"code_execution_config['executor'] must be an executor name or a CodeExecutor instance "
            f"(with code_extractor, execute_code_blocks and restart), not {executor!r}."
        )


def executor_from_config(code_execution_config: CodeExecutionConfig) -> CodeExecutor:
    """Same as :meth:`CodeExecutorFactory.create`: the one call agents use to get their executor."""
    return CodeExecutorFactory.create(code_execution_config)
