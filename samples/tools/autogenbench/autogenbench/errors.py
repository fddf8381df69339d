"""The one exception AutoGenBench raises for problems the user can fix; its message says how."""

from __future__ import annotations


class BenchError(Exception):
    """A problem with the input or the environment (bad task file, Docker not running, ...).

    The command line prints the message (no traceback) and exits with status 2.
    """
