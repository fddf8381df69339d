#!/usr/bin/env python
"""LLaVA describes a picture, through ``llava_call`` and then in a chat with ``LLaVAAgent``.

    python samples/contrib/llava.py --image photo.png

The configs come from OAI_CONFIG_LIST, filtered to models whose name contains "llava" (all configs when none
does). A config is called as a LLaVA model worker when its base_url does not end in /v1 (the LLaVA project's
server), through Replicate when the base_url is a Replicate model reference, and as an OpenAI-compatible
endpoint (vLLM, Ollama...) otherwise. Needs ``pip install "pyautogen[lmm]"`` for Replicate.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Optional

from multimodal import red_square_png
from sample_config import load_config_list

PROGRAM = "llava"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", help="an image file or URL (default: a red square drawn here)")
    args = parser.parse_args(argv)

    import autogen
    from autogen.agentchat.contrib.llava_agent import LLaVAAgent, llava_call

    configs = load_config_list(PROGRAM)
    llava_configs = [c for c in configs if "llava" in str(c.get("model", "")).lower()] or configs
    config = {"config_list": llava_configs, "temperature": 0.2, "max_new_tokens": 300}
    image = args.image or red_square_png(tempfile.mktemp(suffix=".png"))

    print("llava_call:", llava_call(f"Describe this image in one sentence. <img {image}>", config))
    agent = LLaVAAgent("llava", llm_config=config, max_consecutive_auto_reply=1)
    user = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
    )
    result = user.initiate_chat(agent, message=f"What colour dominates this picture? <img {image}>")
    print("LLaVAAgent:", result.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
