"""Classic helpers of the vector stores: a logger, results filtered by distance, chromadb results converted."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from .base import QueryResults, to_query_results

__all__ = ["ColoredLogger", "chroma_results_to_query_results", "filter_results_by_distance", "get_logger"]


class ColoredLogger(logging.Logger):
    """The classic logger whose calls take ``color=`` (warnings yellow, errors light red, critical red)."""

    def debug(self, msg: Any, *args: Any, color: Optional[str] = None, **kwargs: Any) -> None:
        super().debug(_colored(msg, color), *args, **kwargs)

    def info(self, msg: Any, *args: Any, color: Optional[str] = None, **kwargs: Any) -> None:
        super().info(_colored(msg, color), *args, **kwargs)

    def warning(self, msg: Any, *args: Any, color: Optional[str] = "yellow", **kwargs: Any) -> None:
        super().warning(_colored(msg, color), *args, **kwargs)

    def error(self, msg: Any, *args: Any, color: Optional[str] = "light_red", **kwargs: Any) -> None:
        super().error(_colored(msg, color), *args, **kwargs)

    def critical(self, msg: Any, *args: Any, color: Optional[str] = "red", **kwargs: Any) -> None:
        super().critical(_colored(msg, color), *args, **kwargs)

    fatal = critical  # type: ignore[assignment]


def _colored(msg: Any, color: Optional[str]) -> Any:
    if not color:
        return msg
    from ...printing import colored

    return colored(str(msg), color)


def get_logger(name: str, level: int = logging.INFO) -> logging.Logger:
    """The logger of ``name`` at ``level`` (handlers are left to the application)."""
    logger = logging.getLogger(name)
    logger.setLevel(level)
    return logger


def filter_results_by_distance(results: QueryResults, distance_threshold: float = -1) -> QueryResults:
    """``results`` without the documents farther than ``distance_threshold`` (all kept when it is negative)."""
    if distance_threshold < 0:
        return results
    return [[(doc, distance) for doc, distance in row if distance <= distance_threshold] for row in results]


def chroma_results_to_query_results(
    data_dict: Dict[str, List[List[Any]]], special_key: str = "distances"
) -> QueryResults:
    """chromadb's query result (``ids``, ``documents``, ``metadatas``, ``distances``) as QueryResults."""
    if special_key != "distances":
        data_dict = {**data_dict, "distances": data_dict.get(special_key) or []}
    return to_query_results(data_dict)
