"""MemoStore: the persistent memory of Teachability, memos in a chromadb collection on disk.

A memo is an (input, output) pair: the input (a question the user might ask, or a general task) is
embedded and searched; the output (the fact, preference or advice) is what gets recalled. Distances are
squared Euclidean between unit vectors (0 = same meaning, 4 = opposite), so ``recall_threshold=1.5``
recalls memos whose cosine similarity to the cue is above 0.25.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...printing import colored, say
from ..vectordb.base import Document, chunk_id

__all__ = ["Memo", "MemoStore"]

logger = logging.getLogger(__name__)

Memo = Tuple[str, str, float]  # (input text, output text, distance to the cue)

COLLECTION = "memos"


def _require_teachable_extra(needs_embedding: bool) -> None:
    """Fail early, naming the ``teachable`` extra, when its packages are missing."""
    from ...._optional import require_installed
    from ..rag.errors import MissingExtraError

    packages = [("chromadb", "chromadb")]
    if needs_embedding:
        packages.append(("sentence_transformers", "sentence-transformers"))
    require_installed(packages, extra="teachable", feature="Teachability", error=MissingExtraError)


PREPOPULATED_MEMOS: Tuple[Tuple[str, str], ...] = (
    ("Always run the unit tests before you say a change is finished.", "yes"),
    ("Which of these three spreadsheets has the most rows?", "no"),
    ("When a date is ambiguous, write it as year-month-day.", "yes"),
    ("Translate the second paragraph into Portuguese.", "no"),
    ("If a web page does not load, try its archived copy before giving up.", "yes"),
    ("Make the chart's bars green instead of blue.", "no"),
    ("Quote the source of every number you put in a report.", "yes"),
    ("How many moons does Neptune have?", "no"),
)
"""Example memos for :meth:`MemoStore.prepopulate`: remarks, and whether each gives general advice."""


CLASSIC_DICT = "uid_text_dict.pkl"


class _PlainUnpickler(pickle.Unpickler):
    """Reads plain data only (classic wrote ``{id: (input, output)}``: dicts, tuples, strings): a pickle naming any
    class or function is refused, so a planted file in a memo folder cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data; refused")


def _read_classic_outputs(path_to_db_dir: str) -> Dict[str, str]:
    """``{memo id: output}`` from the ``uid_text_dict.pkl`` of a folder written by classic AutoGen ({} if none)."""
    path = os.path.join(path_to_db_dir, CLASSIC_DICT)
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, "rb") as f:
            pairs = _PlainUnpickler(f).load()
        return {str(uid): str(pair[1]) for uid, pair in pairs.items()}
    except Exception as exc:  # a damaged file must not stop the agent: its memos are recalled without output
        logger.warning("Could not read the classic memo file %s (%s); its memos have no output.", path, exc)
        return {}


class MemoStore:
    """Memos kept in ``path_to_db_dir`` (reopened as they were unless ``reset``), open until :meth:`close` or until
    the store is garbage-collected."""

    def __init__(
        self,
        verbosity: int = 0,
        reset: bool = False,
        path_to_db_dir: str = "./tmp/teachable_agent_db",
        embedding_function: Optional[Callable[..., Any]] = None,
        printer: Optional[Callable[[str], None]] = None,
    ):
        _require_teachable_extra(needs_embedding=embedding_function is None)
        from ..vectordb.chromadb import ChromaVectorDB

        self.verbosity = verbosity
        self.path_to_db_dir = path_to_db_dir
        self._print = printer or say
        existed = os.path.isfile(os.path.join(path_to_db_dir, "chroma.sqlite3"))
        self.db = ChromaVectorDB(
            path=path_to_db_dir,
            embedding_function=embedding_function,
            distance="l2",
        )
        # a folder written by classic AutoGen keeps the memos' outputs in a pickle beside chromadb, by memo id
        self._classic_outputs: Dict[str, str] = {} if reset else _read_classic_outputs(path_to_db_dir)
        if reset:
            self.reset_db()
        else:
            self.db.create_collection(COLLECTION, get_or_create=True)
            if existed:  # announced at every verbosity, as classic did
                self._print(colored("\nLOADING MEMORY FROM DISK", "light_green"))
                self._print(colored(f"    Location = {path_to_db_dir}", "light_green"))
        if self.verbosity >= 3:
            self.list_memos()

    @property
    def last_memo_id(self) -> int:
        """How many memos are stored (classic name)."""
        return self.db.count(COLLECTION)

    def __len__(self) -> int:
        return self.last_memo_id

    def close(self) -> None:
        """Close the database: its files are given back before this returns, whatever still refers to the store
        (a store garbage-collected gives them back too, a moment later). A closed store raises ValueError when used."""
        self.db.close()

    def reset_db(self) -> None:
        """Forget every memo (announced at every verbosity, as classic did)."""
        self._print(colored("\nCLEARING MEMORY", "light_green"))
        self.db.delete_collection(COLLECTION)
        self.db.create_collection(COLLECTION, get_or_create=True)

    def prepopulate(self) -> None:
        """Store a few unrelated example memos (whether a remark gives advice), so that retrieval in a fresh
        store has neighbours to rank against."""
        if self.verbosity >= 1:
            self._print(colored("\nPREPOPULATING MEMORY", "light_green"))
        for input_text, output_text in PREPOPULATED_MEMOS:
            self.add_input_output_pair(input_text, output_text)

    def add_input_output_pair(self, input_text: str, output_text: str) -> None:
        """Remember ``output_text``, to be recalled by cues close to ``input_text``."""
        doc: Document = {
            "id": chunk_id(f"{input_text}\x00{output_text}"),
            "content": input_text,
            "metadata": {"output": output_text, "added_at": time.time()},
        }
        self.db.insert_docs([doc], COLLECTION, upsert=True)
        if self.verbosity >= 1:
            self._print(
                colored(
                    f"\nINPUT-OUTPUT PAIR ADDED TO VECTOR DATABASE:\n  INPUT\n    {input_text}\n  OUTPUT\n",
                    "light_yellow",
                )
                + colored(f"    {output_text}\n", "light_yellow")
            )

    def get_related_memos(self, query_text: str, n_results: int, threshold: float) -> List[Memo]:
        """Up to ``n_results`` memos within ``threshold`` of ``query_text``, closest first."""
        count = self.last_memo_id
        if count == 0 or n_results < 1:
            return []
        rows = self.db.retrieve_docs([query_text], COLLECTION, n_results=min(n_results, count))
        memos: List[Memo] = []
        for doc, distance in rows[0] if rows else []:
            if distance > threshold:
                continue
            output = self._output(doc)
            memos.append((doc["content"], output, distance))
            if self.verbosity >= 1:
                self._print(
                    colored(
                        f"\nINPUT-OUTPUT PAIR RETRIEVED FROM VECTOR DATABASE:\n  INPUT1\n    {doc['content']}\n"
                        f"  OUTPUT\n    {output}\n  DISTANCE\n    {distance:.3f}",
                        "light_yellow",
                    )
                )
        return memos

    def _output(self, doc: Document) -> str:
        """What a memo recalls: its ``output`` metadata, or for a memo stored by classic AutoGen its pickled output."""
        output = (doc.get("metadata") or {}).get("output")
        return str(output) if output is not None else self._classic_outputs.get(str(doc["id"]), "")

    def get_nearest_memo(self, query_text: str) -> Optional[Memo]:
        """The memo closest to ``query_text`` (whatever its distance), or None when there is none."""
        memos = self.get_related_memos(query_text, 1, float("inf"))
        return memos[0] if memos else None

    def list_memos(self) -> List[Tuple[str, str]]:
        """Every memo as ``(input, output)``, oldest first (printed too)."""
        docs = self.db.get_docs_by_ids(None, COLLECTION)
        docs.sort(key=lambda d: float((d.get("metadata") or {}).get("added_at", 0.0)))
        memos = [(d["content"], self._output(d)) for d in docs]
        self._print(colored("LIST OF MEMOS", "light_green"))
        for input_text, output_text in memos:
            self._print(colored(f"  INPUT\n    {input_text}\n  OUTPUT\n    {output_text}", "light_green"))
        return memos
