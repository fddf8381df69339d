"""The progress bar of run_chats is tqdm's: counts, failures and the end of the batch on the given stream."""

from __future__ import annotations

import io

from llm_server import LLMServer
from test_run_chats import specs

from autogen.scale import run_chats
from autogen.scale.progress import ProgressBar


def test_progress_bar_counts_the_batch(llm_server: LLMServer) -> None:
    stream = io.StringIO()
    batch = run_chats(specs(llm_server, 5), progress=ProgressBar(stream))
    assert len(batch) == 5
    shown = stream.getvalue()
    assert "chats:" in shown and "5/5" in shown
    assert shown.endswith("\n")  # the bar is closed when the last chat ends


def test_progress_bar_shows_failures() -> None:
    stream = io.StringIO()
    batch = run_chats([{"factory": "no_such_module:factory", "message": "x"}] * 2, progress=ProgressBar(stream))
    assert [o.ok for o in batch] == [False, False]
    assert "2/2" in stream.getvalue() and "failed=2" in stream.getvalue()
