"""Pick a runtime logger by name: ``LoggerFactory.get_logger("sqlite" | "file", config)``."""

from __future__ import annotations

import importlib
from typing import Any, Dict, Optional

from .base_logger import BaseLogger

__all__ = ["LoggerFactory"]

# logger type -> (module, class); a new back end is one more line here and one more file
_LOGGER_TYPES: Dict[str, tuple[str, str]] = {
    "sqlite": ("autogen.logger.sqlite_logger", "SqliteLogger"),
    "file": ("autogen.logger.file_logger", "FileLogger"),
}


class LoggerFactory:
    @staticmethod
    def get_logger(logger_type: str = "sqlite", config: Optional[Dict[str, Any]] = None) -> BaseLogger:
        """A new, not yet started logger of ``logger_type``.

        Raises:
            ValueError: ``logger_type`` is not one of the known types.
        """
        try:
            module_name, class_name = _LOGGER_TYPES[logger_type]
        except (KeyError, TypeError):
            known = ", ".join(repr(name) for name in _LOGGER_TYPES)
            raise ValueError(
                f"Unknown logger_type {logger_type!r}. Use one of {known}, or pass your own BaseLogger "
                "instance as autogen.runtime_logging.start(logger=...)."
            ) from None
        logger_cls = getattr(importlib.import_module(module_name), class_name)
        logger: BaseLogger = logger_cls(config or {})
        return logger
