"""Text compressors: shorten a text before it goes to a model (used by ``transforms.TextMessageCompressor``).

:class:`LLMLingua` wraps the ``llmlingua`` package (the ``long-context`` extra:
``pip install "pyautogen[long-context]"``), whose compression model is loaded from the Hugging Face hub or its
local cache when the compressor is made.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Protocol, runtime_checkable

from ...._optional import import_optional

__all__ = ["LLMLingua", "TextCompressor"]

DEFAULT_LLMLINGUA_KWARGS: Dict[str, Any] = {
    "model_name": "microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank",
    "use_llmlingua2": True,
    "device_map": "cpu",
}


@runtime_checkable
class TextCompressor(Protocol):
    """Compresses a text."""

    def compress_text(self, text: str, **compression_params: Any) -> Dict[str, Any]:
        """The compression of ``text``: a dict with at least ``compressed_prompt`` (the shorter text), and
        ``origin_tokens`` / ``compressed_tokens`` when the compressor counts tokens."""
        ...


class LLMLingua:
    """A :class:`TextCompressor` on LLMLingua (``llmlingua.PromptCompressor``).

    Args:
        prompt_compressor_kwargs: keyword arguments for ``PromptCompressor`` (default: LLMLingua-2 on the CPU).
        structured_compression: use ``structured_compress_prompt`` (texts marked up with ``<llmlingua>`` tags)
            instead of ``compress_prompt``.
    """

    def __init__(
        self,
        prompt_compressor_kwargs: Optional[Dict[str, Any]] = None,
        structured_compression: bool = False,
    ) -> None:
        llmlingua = import_optional("llmlingua", package="llmlingua", extra="long-context", feature="LLMLingua")
        kwargs = dict(DEFAULT_LLMLINGUA_KWARGS if prompt_compressor_kwargs is None else prompt_compressor_kwargs)
        self._prompt_compressor = llmlingua.PromptCompressor(**kwargs)
        self._structured = structured_compression

    def compress_text(self, text: str, **compression_params: Any) -> Dict[str, Any]:
        if not isinstance(text, str):
            raise TypeError(f"LLMLingua compresses text (a str), got {type(text).__name__}.")
        compressor = self._prompt_compressor
        method = compressor.structured_compress_prompt if self._structured else compressor.compress_prompt
        return dict(method([text], **compression_params))
