"""Code execution on agents: the executor behind ``code_execution_config`` and the classic methods.

The executor comes from :func:`autogen.coding.factory.executor_from_config` (classic dicts and
``{"executor": ...}`` alike). A classic dict gets its ``use_docker`` decided at construction (Docker by
default, see :func:`autogen.code_utils.decide_use_docker`), failing early when Docker is wanted but not
running; the executor itself is built at the first code block. The code reply is
``autogen.agentchat.reply_code``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Tuple, Union

from .printing import colored
from .reply_code import block_parts, join_outputs

if TYPE_CHECKING:
    from ..coding.base import CodeExecutor
    from ..io.base import IOStream

__all__ = ["CodeExecutionMixin"]

RUN_CODE_KEYS = ("work_dir", "use_docker", "timeout")


class CodeExecutionMixin:
    """Executor set-up and the classic ``execute_code_blocks`` / ``run_code`` of a ConversableAgent."""

    _code_execution_config: Union[Dict[str, Any], Literal[False]]
    _code_executor: Optional[CodeExecutor]

    if TYPE_CHECKING:

        def _iostream(self) -> IOStream: ...

    def _setup_code_execution(self) -> None:
        config = self._code_execution_config
        if not isinstance(config, dict):
            return
        if "executor" in config:  # named or given executor: build (and check) it now
            from ..coding.factory import executor_from_config

            self._code_executor = executor_from_config(config)  # type: ignore[arg-type]
            return
        from ..code_utils import check_can_use_docker_or_throw, decide_use_docker

        config["use_docker"] = decide_use_docker(config.get("use_docker"))
        check_can_use_docker_or_throw(config["use_docker"])

    @property
    def code_executor(self) -> Optional[CodeExecutor]:
        """The executor running this agent's code (None when code execution is off)."""
        if self._code_executor is None and isinstance(self._code_execution_config, dict):
            self._code_executor = self._executor_for(self._code_execution_config)
        return self._code_executor

    def _executor_for(self, config: Dict[str, Any]) -> CodeExecutor:
        own = config is self._code_execution_config
        if own and self._code_executor is not None:
            return self._code_executor
        from ..coding.factory import executor_from_config

        executor = executor_from_config(config)  # type: ignore[arg-type]
        if own:
            self._code_executor = executor
        return executor

    @property
    def use_docker(self) -> Union[bool, str, List[str], None]:
        config = self._code_execution_config
        return None if config is False else config.get("use_docker")

    def run_code(self, code: str, **kwargs: Any) -> Tuple[int, str, Optional[str]]:
        """Run one piece of code with :func:`autogen.code_utils.execute_code` (classic helper)."""
        from ..code_utils import execute_code

        return execute_code(code, **kwargs)  # type: ignore[no-any-return]

    def execute_code_blocks(self, code_blocks: List[Any]) -> Tuple[int, str]:
        """Run code blocks (CodeBlocks or ``(lang, code)`` pairs) in order, stopping at the first failure;
        returns ``(exit code, joined output)``.

        Blocks run with the agent's executor; a subclass overriding :meth:`run_code` has it called for
        each block instead (the classic extension point).
        """
        from ..code_utils import infer_lang
        from ..coding.base import CodeBlock

        stream = self._iostream()
        custom_run = type(self).run_code is not CodeExecutionMixin.run_code
        config = self._code_execution_config or {}
        options = {k: v for k, v in config.items() if k in RUN_CODE_KEYS}
        exit_code, outputs = 0, []
        for i, block in enumerate(code_blocks):
            lang, code = block_parts(block)
            shown = lang or infer_lang(code)
            stream.print(
                colored(f"\n>>>>>>>> EXECUTING CODE BLOCK {i} (inferred language is {shown})...", "red"), flush=True
            )
            if custom_run:
                exit_code, output, _ = self.run_code(code, lang=shown, **options)
            else:
                executor = self.code_executor
                if executor is None:
                    raise RuntimeError("Code execution is off for this agent (code_execution_config=False).")
                result = executor.execute_code_blocks([CodeBlock(code=code, language=lang)])
                exit_code, output = result.exit_code, result.output
            outputs.append(output)
            if exit_code != 0:
                break
        return exit_code, join_outputs(outputs)

    def _run_with_executor(self, code_blocks: List[Any], executor: CodeExecutor) -> Tuple[int, str]:
        """The ``{"executor": ...}`` path, as classic runs it: every block in ONE call of the executor (which
        decides how blocks follow each other), announced as one run."""
        if len(code_blocks) == 1:
            banner = f"\n>>>>>>>> EXECUTING CODE BLOCK (inferred language is {code_blocks[0].language})..."
        else:
            languages = ", ".join(block.language for block in code_blocks)
            banner = f"\n>>>>>>>> EXECUTING {len(code_blocks)} CODE BLOCKS (inferred languages are [{languages}])..."
        self._iostream().print(colored(banner, "red"), flush=True)
        result = executor.execute_code_blocks(code_blocks)
        return result.exit_code, result.output
