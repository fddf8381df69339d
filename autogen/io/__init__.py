"""How agents print and ask humans: the IOStream protocol and its implementations."""

from .base import InputStream, IOStream, OutputStream
from .console import IOConsole

__all__ = ["IOConsole", "IOStream", "InputStream", "OutputStream"]
