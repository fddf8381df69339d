"""Classic helpers of the vector stores: a logger, results filtered by distance, chromadb results converted."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from .base import QueryResults, to_query_results

__all__ = ["chroma_results_to_query_results", "filter_results_by_distance", "get_logger"]


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
