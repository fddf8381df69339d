"""MarkdownCodeExtractor."""

from __future__ import annotations

from typing import Any

from autogen.coding import CodeBlock, CodeExtractor, MarkdownCodeExtractor


def test_extracts_blocks_with_languages() -> None:
    extractor = MarkdownCodeExtractor()
    assert isinstance(extractor, CodeExtractor)
    message = "Try:\n```python\nprint('a')\n```\nand\n```bash\necho b\n```\n"
    assert extractor.extract_code_blocks(message) == [
        CodeBlock(code="print('a')", language="python"),
        CodeBlock(code="echo b", language="bash"),
    ]


def test_guesses_missing_language_and_ignores_text() -> None:
    extractor = MarkdownCodeExtractor()
    assert extractor.extract_code_blocks("no code at all") == []
    assert extractor.extract_code_blocks(None) == []
    assert extractor.extract_code_blocks("```\nx = 1\nprint(x)\n```") == [
        CodeBlock(code="x = 1\nprint(x)", language="python")
    ]
    assert extractor.extract_code_blocks("```\npip install numpy\n```") == [
        CodeBlock(code="pip install numpy", language="sh")
    ]
    assert extractor.extract_code_blocks("```\nnot: python: {\n```") == [CodeBlock(code="not: python: {", language="")]


def test_multimodal_content() -> None:
    content: list[dict[str, Any]] = [
        {"type": "text", "text": "```python\nprint(1)\n```"},
        {"type": "image_url", "image_url": {"url": "http://example/x.png"}},
    ]
    assert MarkdownCodeExtractor().extract_code_blocks(content) == [CodeBlock(code="print(1)", language="python")]


def test_results_are_plain_data() -> None:
    from autogen.coding import CommandLineCodeResult, IPythonCodeResult

    block = CodeBlock(code="x", language="python")
    assert block.model_dump() == {"code": "x", "language": "python"}
    assert block.model_copy(update={"code": "y"}) == CodeBlock(code="y", language="python")
    result = CommandLineCodeResult(exit_code=0, output="ok")
    assert result.code_file is None and result.model_dump() == {"exit_code": 0, "output": "ok", "code_file": None}
    assert IPythonCodeResult(exit_code=0, output="").output_files == []
