#!/usr/bin/env python
"""An assistant that draws: ImageGeneration with DALL-E, and a cache so the same picture is drawn once.

    python samples/contrib/image_generation.py --message "Draw a lighthouse at night" --out lighthouse.png

The chat model (which also decides whether a picture is asked for and writes its prompt) is the first config of
OAI_CONFIG_LIST; the image model is the first config whose model starts with "dall-e" or "gpt-image", else the chat
config's endpoint with model --image-model. Needs ``pip install "pyautogen[lmm]"``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from sample_config import load_config_list

PROGRAM = "image_generation"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--message", default="Please draw a lighthouse on a cliff at night, in watercolour.")
    parser.add_argument("--image-model", default="dall-e-3")
    parser.add_argument("--size", default="1024x1024")
    parser.add_argument("--out", default="generated.png", help="where the image is saved")
    parser.add_argument("--cache-dir", default=".cache", help="where generated images are cached")
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.capabilities.generate_images import DalleImageGenerator, ImageGeneration
    from autogen.agentchat.contrib.img_utils import get_pil_image

    configs = load_config_list(PROGRAM)
    image_configs = [c for c in configs if str(c.get("model", "")).startswith(("dall-e", "gpt-image"))]
    image_config = image_configs[0] if image_configs else {**configs[0], "model": args.image_model}
    chat_configs = [c for c in configs if c not in image_configs] or configs

    painter = autogen.AssistantAgent(
        "painter", llm_config={"config_list": chat_configs, "cache_seed": None}, max_consecutive_auto_reply=1
    )
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    with autogen.Cache.disk(cache_seed="images", cache_path_root=args.cache_dir) as cache:
        generator = DalleImageGenerator({"config_list": [image_config]}, resolution=args.size)
        ImageGeneration(generator, cache=cache, verbosity=1).add_to_agent(painter)
        result = user.initiate_chat(painter, message=args.message)
    content = result.chat_history[-1]["content"]
    if isinstance(content, list):
        text = next(p["text"] for p in content if p["type"] == "text")
        url = next(p["image_url"]["url"] for p in content if p["type"] == "image_url")
        get_pil_image(url).save(args.out)
        print(f"{text}\nSaved to {args.out}")
    else:
        print(f"No image was drawn: {content}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
