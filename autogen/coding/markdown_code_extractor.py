"""Extract fenced Markdown code blocks from a message."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Union

from ..code_utils import CODE_BLOCK_PATTERN, UNKNOWN, content_str, infer_lang
from .base import CodeBlock

__all__ = ("MarkdownCodeExtractor",)

_FENCED = re.compile(CODE_BLOCK_PATTERN, re.DOTALL)


class MarkdownCodeExtractor:
    """Finds ```` ```lang ... ``` ```` blocks. A block without a language gets one guessed from its code
    (``python`` when it parses as Python); a message without blocks gives an empty list."""

    def extract_code_blocks(self, message: Union[str, List[Dict[str, Any]], None]) -> List[CodeBlock]:
        text = content_str(message)
        blocks: List[CodeBlock] = []
        for lang, code in _FENCED.findall(text):
            if not lang:
                lang = infer_lang(code)
                if lang == UNKNOWN:
                    lang = ""
            blocks.append(CodeBlock(code=code, language=lang))
        return blocks
