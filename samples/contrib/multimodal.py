#!/usr/bin/env python
"""A vision model describes a picture: ``<img path>`` in a message becomes an image part of the request.

    python samples/contrib/multimodal.py --image photo.png --question "What is in this picture?"

Without ``--image`` a small PNG is drawn (with the standard library) and used. Models come from OAI_CONFIG_LIST
(the first config; use a vision model such as gpt-4o).
"""

from __future__ import annotations

import argparse
import struct
import sys
import tempfile
import zlib
from typing import Optional

from sample_config import load_config_list

PROGRAM = "multimodal"


def red_square_png(path: str, size: int = 64) -> str:
    """Write a red square PNG to ``path``."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = (b"\x00" + b"\xdc\x14\x14" * size) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
        )
    return path


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", help="an image file or URL (default: a red square drawn here)")
    parser.add_argument("--question", default="What is in this picture? Answer in one sentence.")
    args = parser.parse_args(argv)

    from autogen import UserProxyAgent
    from autogen.agentchat.contrib.multimodal_conversable_agent import MultimodalConversableAgent

    image = args.image or red_square_png(tempfile.mktemp(suffix=".png"))
    viewer = MultimodalConversableAgent(
        "viewer",
        llm_config={"config_list": load_config_list(PROGRAM), "cache_seed": None},
        max_consecutive_auto_reply=1,
    )
    user = UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0)
    result = user.initiate_chat(viewer, message=f"{args.question} <img {image}>")
    print(result.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
