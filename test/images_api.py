"""Image endpoints for the local test server: DALL-E style generations and a LLaVA worker.

``LLMServer`` hands these paths to :class:`ImagesAPI`:

* ``POST .../images/generations`` (``{"prompt", "model", "n", "size", "quality", "response_format"}``):
  answers ``{"created", "data": [{"url" | "b64_json", "revised_prompt"}]}`` with ``n`` solid-colour PNGs
  of the requested size (the colour comes from the prompt). ``response_format="b64_json"`` gives the
  image inline, otherwise a ``url`` on this server (``GET .../images/files/<name>.png``) serves it.
  ``api.fail_with(status)`` makes the next generation fail with that HTTP status.
* ``POST .../worker_generate_stream``: the LLaVA worker protocol (JSON chunks separated by NUL bytes,
  each ``{"text": prompt + output, "error_code": 0}``); the output is the next scripted chat reply
  (``server.script`` / ``server.responder``, default: the echo reply).

``api.generations`` records the generation bodies, ``api.worker_requests`` the worker bodies.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import struct
import threading
import time
import zlib
from typing import Any, Callable, Optional, Union

Reply = Union[str, dict[str, Any]]
Result = tuple[int, Union[bytes, dict[str, Any]], str]

__all__ = ["ImagesAPI", "png_bytes"]

MAX_EDGE = 2048


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG file of one colour (written with zlib only, so tests need no imaging library)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _size(value: Any) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in str(value or "256x256").lower().split("x"))
    except ValueError:
        raise ValueError(f"size must look like 1024x1024, got {value!r}") from None
    if not (0 < width <= MAX_EDGE and 0 < height <= MAX_EDGE):
        raise ValueError(f"size {value!r} is out of range")
    return width, height


def _colour(prompt: str, index: int) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{prompt}#{index}".encode()).digest()
    return digest[0], digest[1], digest[2]


def _error(status: int, message: str) -> Result:
    return (
        status,
        {"error": {"message": message, "type": "invalid_request_error", "code": str(status)}},
        "application/json",
    )


class ImagesAPI:
    def __init__(self, next_reply: Callable[[dict[str, Any]], Reply]) -> None:
        self._next_reply = next_reply
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.generations: list[dict[str, Any]] = []
        self.worker_requests: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self._failures: list[int] = []

    def reset(self) -> None:
        with self._lock:
            self.generations.clear()
            self.worker_requests.clear()
            self.files.clear()
            self._failures.clear()

    def fail_with(self, status: int) -> None:
        """Make the next image generation answer with HTTP ``status``."""
        with self._lock:
            self._failures.append(status)

    @staticmethod
    def owns(path: str) -> bool:
        return path.endswith(("/images/generations", "/worker_generate_stream")) or "/images/files/" in path

    def handle(self, method: str, path: str, body: Optional[dict[str, Any]], host: str) -> Result:
        if "/images/files/" in path and method == "GET":
            data = self.files.get(path.rsplit("/", 1)[-1])
            return (200, data, "image/png") if data is not None else _error(404, f"no image {path}")
        if method != "POST":
            return _error(405, f"{method} is not allowed on {path}")
        if body is None:
            return _error(400, "request body is not JSON")
        if path.endswith("/worker_generate_stream"):
            return self._worker(body)
        return self._generate(path, body, host)

    def _generate(self, path: str, body: dict[str, Any], host: str) -> Result:
        with self._lock:
            self.generations.append(body)
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return _error(failure, f"scripted failure {failure}")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return _error(400, "prompt is required")
        try:
            width, height = _size(body.get("size"))
        except ValueError as exc:
            return _error(400, str(exc))
        data = []
        for index in range(int(body.get("n") or 1)):
            png = png_bytes(width, height, _colour(prompt, index))
            item: dict[str, Any] = {"revised_prompt": prompt}
            if body.get("response_format") == "b64_json":
                item["b64_json"] = base64.b64encode(png).decode()
            else:
                name = f"img-{next(self._ids)}.png"
                with self._lock:
                    self.files[name] = png
                prefix = path[: -len("generations")]
                item["url"] = f"http://{host}{prefix}files/{name}"
            data.append(item)
        return 200, {"created": int(time.time()), "data": data}, "application/json"

    def _worker(self, body: dict[str, Any]) -> Result:
        with self._lock:
            self.worker_requests.append(body)
        prompt = str(body.get("prompt", ""))
        reply = self._next_reply({"model": body.get("model"), "messages": [{"role": "user", "content": prompt}]})
        if isinstance(reply, dict):
            if reply.get("status"):
                return _error(int(reply["status"]), str(reply.get("content") or "scripted failure"))
            reply = str(reply.get("content") or "")
        output = prompt + str(reply)
        half = len(output) // 2
        chunks = [{"text": output[:half], "error_code": 0}, {"text": output, "error_code": 0}]
        return 200, b"".join(json.dumps(c).encode() + b"\0" for c in chunks), "application/octet-stream"
