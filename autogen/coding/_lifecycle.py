"""``with thing: ...`` stops the thing at the end of the block: executors, servers, kernels and containers."""

from __future__ import annotations

from types import TracebackType
from typing import Optional, Type, TypeVar

_Self = TypeVar("_Self", bound="StopOnExit")


class StopOnExit:
    """A context manager whose exit calls ``self.stop()`` (which the class defines, safe to call twice)."""

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self.stop()
