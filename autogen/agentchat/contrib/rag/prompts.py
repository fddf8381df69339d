"""The messages a retrieval agent sends: one prompt per task, with the question and the retrieved context."""

from __future__ import annotations

from typing import Dict, List, Optional

from .errors import ConfigError

__all__ = ["PROMPTS", "TASKS", "UPDATE_CONTEXT", "build_prompt"]

UPDATE_CONTEXT = "UPDATE CONTEXT"
"""What an assistant replies (at the start or the end of its reply) to ask for more context."""

PROMPT_DEFAULT = """You are an assistant whose knowledge is extended by documents retrieved for you.
Answer the user's question or carry out the user's task, drawing on your own knowledge and on the context below, which was retrieved from the user's documents. When code helps, write it in a ```python block and the user will run it and report the result.
If neither your knowledge nor this context is enough, reply with `UPDATE CONTEXT` alone, and you will be given further context.

User's question: {input_question}

Context:
{input_context}
Sources of the context: {input_sources}

If you answer from the context, end your answer with a line `Sources: source1, source2, ...` naming the sources you used.
"""

PROMPT_CODE = """You are a coding assistant whose knowledge is extended by documents retrieved for you.
Solve the user's task with Python code, drawing on your own knowledge and on the context below, which was retrieved from the user's documents. Put the code in a ```python block; the user runs it and reports the result.
If the context is not enough to solve the task, reply with `UPDATE CONTEXT` alone, and you will be given further context.

User's task: {input_question}

Context:
{input_context}
"""

PROMPT_QA = """You answer questions from the user's documents.
Answer the question below from the context that follows it, which was retrieved from those documents. Keep the answer short and to the point.
If the context does not hold the answer, reply with `UPDATE CONTEXT` alone, and you will be given further context.

User's question: {input_question}

Context:
{input_context}
"""

PROMPTS: Dict[str, str] = {"default": PROMPT_DEFAULT, "code": PROMPT_CODE, "qa": PROMPT_QA}
TASKS = tuple(PROMPTS)


def build_prompt(
    task: str, question: str, context: str, customized_prompt: str = "", sources: Optional[List[str]] = None
) -> str:
    """The message for ``task`` ("default", "code", "qa"), or ``customized_prompt`` filled in.

    A customized prompt is a ``str.format`` template with the fields ``{input_question}`` and ``{input_context}``.
    The default task's prompt also lists ``sources`` (the documents the context comes from), as classic's did.
    """
    template = customized_prompt or PROMPTS.get(task)
    if template is None:
        raise ConfigError(f"Unknown retrieval task {task!r}: use one of {', '.join(TASKS)}.")
    fields = {"input_question": question, "input_context": context}
    if not customized_prompt and task == "default":
        fields["input_sources"] = str(list(sources or []))  # classic showed the Python list
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"customized_prompt is not a valid template ({exc!r}). It is filled with str.format and may use only "
            "the fields {input_question} and {input_context}; write other braces doubled: {{ and }}."
        ) from exc
