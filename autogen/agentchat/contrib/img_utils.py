"""Images in messages: ``<img ...>`` tags, image parts, data URIs, PIL images and their token cost.

A multimodal message content is a list of parts, ``{"type": "text", "text": ...}`` and
``{"type": "image_url", "image_url": {"url": ...}}``, the url being an http(s) URL or a ``data:`` URI.
In plain text an image is written as a tag: ``<img photo.png>``, ``<img https://.../cat.jpg>`` or
``<img src="my file.png">``; :func:`gpt4v_formatter` turns such text into parts (local files become
base64 data URIs) and :func:`llava_formatter` into LLaVA's ``<image>`` tokens plus the base64 images.

Reading files, URLs and data URIs needs nothing extra; anything that decodes pixels (PIL images,
:func:`num_tokens_from_gpt_image`) needs pillow: ``pip install "pyautogen[lmm]"``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import os
import re
from io import BytesIO
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Tuple, Union

from ..._optional import import_optional

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "convert_base64_to_data_uri",
    "extract_img_paths",
    "get_image_data",
    "get_pil_image",
    "gpt4v_formatter",
    "llava_formatter",
    "message_formatter_pil_to_b64",
    "num_tokens_from_gpt_image",
    "parse_img_tags",
    "pil_to_data_uri",
]

logger = logging.getLogger(__name__)


class ImageFormatError(ValueError, AssertionError):
    """An unknown ``img_format`` (the classic package asserted on it)."""


class ImageLoadError(binascii.Error):
    """An image that is not a URL, a data URI, base64 image data or a file (a ``ValueError``, as ``binascii.Error``
    is, which the classic package raised when it tried the text as base64)."""


IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "bmp", "webp")
# <img path>, <img "path with spaces">, <img src="..."> (other attributes allowed), optionally self-closing
_IMG_TAG = re.compile(r"<img\s+(?P<body>[^<>]*?)\s*/?>", re.IGNORECASE)
_SRC_ATTR = re.compile(r"""(?:^|\s)src\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))""", re.IGNORECASE)
_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+=[^;,]*)*)(?P<b64>;base64)?,", re.I)
_IMG_PATH = re.compile(
    r"(?:https?://[^\s<>\"']+?|[^\s<>\"'()]+?)\.(?:" + "|".join(IMAGE_EXTENSIONS) + r")\b", re.IGNORECASE
)
URL_TIMEOUT = 30.0


def _pil() -> Any:
    return import_optional("PIL.Image", package="pillow", extra="lmm", feature="Decoding images")


def _is_pil(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "size")


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def _fetch(url: str) -> bytes:
    import httpx

    response = httpx.get(url, follow_redirects=True, timeout=URL_TIMEOUT)
    response.raise_for_status()
    return response.content


def _data_uri_bytes(uri: str) -> bytes:
    match = _DATA_URI.match(uri)
    if match is None:
        raise ValueError(f"Not a data URI: {uri[:40]!r}...")
    payload = uri[match.end() :]
    if match.group("b64"):
        return base64.b64decode(payload)
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(payload)


def _png_bytes(image: Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _image_bytes(image_file: Union[str, Image]) -> bytes:
    """The encoded bytes of an image given as a URL, a data URI, a file path, base64 text or a PIL image."""
    if _is_pil(image_file):
        return _png_bytes(image_file)  # type: ignore[arg-type]
    if not isinstance(image_file, str):
        raise TypeError(f"An image must be a path, a URL, a data URI or a PIL image, not {type(image_file).__name__}.")
    location = _unquote(image_file.strip())
    if _is_url(location):
        return _fetch(location)
    if location.lower().startswith("data:"):
        return _data_uri_bytes(location)
    path = os.path.expanduser(location[len("file://") :] if location.startswith("file://") else location)
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return f.read()
    try:  # bare base64 (what llava_formatter returns)
        data = base64.b64decode(location, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if data and _sniff_mime(data) is not None:
        return data
    raise ImageLoadError(
        f"Cannot load the image {location[:80]!r}: not a URL, a data URI, base64 image data or a file."
    )


def _unquote(location: str) -> str:
    """A location without the quotes around it (``'photo.png'`` or ``"photo.png"``)."""
    for quote in "\"'":
        if len(location) >= 2 and location[0] == location[-1] == quote:
            location = location[1:-1]
    return location


def get_image_data(image_file: Union[str, Image], use_b64: bool = True) -> Union[bytes, str]:
    """The image's encoded bytes (base64 text when ``use_b64``): files and URLs as they are, PIL images as PNG."""
    data = _image_bytes(image_file)
    return base64.b64encode(data).decode("ascii") if use_b64 else data


def _to_pil(data: str) -> Image:
    """A PIL image from base64 text."""
    return _pil().open(BytesIO(base64.b64decode(data)))  # type: ignore[no-any-return]


def get_pil_image(image_file: Union[str, Image]) -> Image:
    """The image as an RGB PIL image, from a PIL image, a URL, a data URI, base64 text or a file path."""
    if _is_pil(image_file):
        return image_file  # type: ignore[return-value]
    image = _pil().open(BytesIO(_image_bytes(image_file)))
    return image.convert("RGB")  # type: ignore[no-any-return]


def _sniff_mime(data: bytes) -> Optional[str]:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM"):
        return "image/bmp"
    return None


def convert_base64_to_data_uri(base64_image: str) -> str:
    """A ``data:image/...;base64,`` URI for base64 image data (the type read from the data, JPEG if unknown)."""
    head = base64.b64decode(base64_image[:64] + "=" * (-len(base64_image[:64]) % 4), validate=False)
    mime = _sniff_mime(head) or "image/jpeg"
    return f"data:{mime};base64,{base64_image}"


def pil_to_data_uri(image: Image) -> str:
    """A PNG data URI of a PIL image."""
    return convert_base64_to_data_uri(base64.b64encode(_png_bytes(image)).decode("ascii"))


def _tag_source(body: str) -> str:
    src = _SRC_ATTR.search(body)
    if src is not None:
        return next(g for g in (src.group("dq"), src.group("sq"), src.group("bare")) if g is not None)
    body = body.strip()
    if len(body) >= 2 and body[0] == body[-1] and body[0] in "\"'":
        return body[1:-1]
    return body


def parse_img_tags(text: str) -> List[Tuple[re.Match[str], str]]:
    """The ``<img ...>`` tags of ``text``: ``(match, image location)`` pairs in order."""
    return [(m, _tag_source(m.group("body"))) for m in _IMG_TAG.finditer(text)]


def _image_url(location: str, img_format: str) -> Any:
    if img_format == "uri":
        if location.lower().startswith("data:"):
            return location
        return convert_base64_to_data_uri(get_image_data(location))  # type: ignore[arg-type]
    if img_format == "url":
        return location
    if img_format == "pil":
        return get_pil_image(location)
    raise ImageFormatError(f"img_format must be 'uri', 'url' or 'pil', got {img_format!r}.")


def _warn_unloadable(location: str, because: str, exc: Exception) -> None:
    # The classic sentence, printed where the agents print (stdout or the websocket).
    from ...io.base import IOStream

    IOStream.get_default().print(f"Warning! Unable to load image from {location}, {because} {exc}")


def gpt4v_formatter(prompt: str, img_format: Literal["uri", "url", "pil"] = "uri") -> List[Dict[str, Any]]:
    """Text with ``<img ...>`` tags as a list of text and image parts (the OpenAI vision format).

    ``img_format``: "uri" turns every image into a base64 data URI (URLs are downloaded), "url" keeps the
    location as written, "pil" loads a PIL image (convert those with :func:`message_formatter_pil_to_b64`
    before sending); any other value is an ``AssertionError`` (also a ``ValueError``). A tag whose image
    cannot be loaded is left in the text, with the printed warning "Warning! Unable to load image from ...".
    As in classic, text and image parts alternate, beginning and ending with text (``""`` where there is none).
    """
    if img_format not in ("uri", "url", "pil"):
        raise ImageFormatError(f"img_format must be 'uri', 'url' or 'pil', got {img_format!r}.")
    parts: List[Dict[str, Any]] = []
    start = 0
    for match, location in parse_img_tags(prompt):
        try:
            url = _image_url(location, img_format)
        except (OSError, ValueError) as exc:
            _warn_unloadable(location, "because", exc)
            continue
        # classic: text and images alternate, text first and last (an empty text part where nothing is written)
        parts.append({"type": "text", "text": prompt[start : match.start()]})
        parts.append({"type": "image_url", "image_url": {"url": url}})
        start = match.end()
    parts.append({"type": "text", "text": prompt[start:]})
    return parts


def llava_formatter(prompt: str, order_image_tokens: bool = False) -> Tuple[str, List[str]]:
    """Text with ``<img ...>`` tags as LLaVA wants it: each tag becomes ``<image>`` (``<image 0>``,
    ``<image 1>``... with ``order_image_tokens``), and the images come back as base64 strings. A tag whose image
    cannot be loaded is removed from the text, with the printed warning "Warning! Unable to load image from ..."."""
    images: List[str] = []
    pieces: List[str] = []
    start = 0
    for match, location in parse_img_tags(prompt):
        try:
            data = get_image_data(location)
        except (OSError, ValueError) as exc:
            _warn_unloadable(location, "because of", exc)
            pieces.append(prompt[start : match.start()])
            start = match.end()
            continue
        pieces.append(prompt[start : match.start()])
        pieces.append(f"<image {len(images)}>" if order_image_tokens else "<image>")
        images.append(data)  # type: ignore[arg-type]
        start = match.end()
    pieces.append(prompt[start:])
    return "".join(pieces), images


def extract_img_paths(paragraph: str) -> List[str]:
    """The image file paths and URLs (by extension) written in ``paragraph``."""
    return [m.group(0) for m in _IMG_PATH.finditer(paragraph)]


def _convert_content(content: Any) -> Any:
    if not isinstance(content, list):
        return content
    converted = None
    for i, part in enumerate(content):
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if _is_pil(url):
            if converted is None:
                converted = list(content)
            uri = pil_to_data_uri(url)  # type: ignore[arg-type]
            new_image = {**image, "url": uri} if isinstance(image, dict) else uri
            converted[i] = {**part, "image_url": new_image}
    return content if converted is None else converted


def message_formatter_pil_to_b64(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The messages with every PIL image of their image parts turned into a PNG data URI.

    Messages without PIL images are returned as they are (not copied); the input is never modified.
    """
    out = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        converted = _convert_content(content)
        out.append(message if converted is content else {**message, "content": converted})
    return out


# (max edge, edge the shorter side is scaled down to, tile size, base tokens, tokens per tile), by model family
_VISION_COSTS = (
    ("gpt-4o-mini", (2048, 768, 512, 2833, 5667)),
    ("gpt-4o", (2048, 768, 512, 85, 170)),
    ("gpt-4.1", (2048, 768, 512, 85, 170)),
    ("gpt-4-turbo", (2048, 768, 512, 85, 170)),
    ("gpt-4-vision", (2048, 768, 512, 85, 170)),
    ("gpt-4v", (2048, 768, 512, 85, 170)),
    ("gpt-4-v", (2048, 768, 512, 85, 170)),
)


def num_tokens_from_gpt_image(
    image_data: Union[str, Image], model: str = "gpt-4-vision", low_quality: bool = False
) -> int:
    """The prompt tokens one image costs a GPT vision model.

    Low detail costs the base amount. In high detail the image is scaled to fit the model's largest edge,
    then so that its shorter side is at most the middle edge, and each tile of the result costs the tile
    price on top of the base amount. Raises ValueError for a model whose image pricing is unknown.
    """
    name = model.lower()
    costs = next((c for prefix, c in _VISION_COSTS if prefix in name), None)
    if costs is None:
        raise ValueError(
            f"Unknown image token cost for model {model!r}; known families: "
            f"{', '.join(prefix for prefix, _ in _VISION_COSTS)}."
        )
    max_edge, short_edge, tile, base, per_tile = costs
    if low_quality:
        return base
    width, height = get_pil_image(image_data).size
    if max(width, height) > max_edge:
        scale = max_edge / max(width, height)
        width, height = int(width * scale), int(height * scale)
    if min(width, height) > short_edge:
        scale = short_edge / min(width, height)
        width, height = int(width * scale), int(height * scale)
    tiles = math.ceil(width / tile) * math.ceil(height / tile)
    return base + per_tile * tiles
