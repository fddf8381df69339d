"""VisionCapability: lets a text-only agent "see" images by having a multimodal model caption them.

Each image of a received message (``<img ...>`` tags or ``image_url`` parts) is replaced, for the agent's reply,
by its location and a caption written by the multimodal model of ``lmm_config`` (or by ``custom_caption_func``).
The model is asked once per distinct picture (by its bytes): a file redrawn under the same name is described anew.
Needs pillow (the ``lmm`` extra) only when a ``custom_caption_func`` is given, since it receives a PIL image.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Dict, List, Optional, Union

from ....code_utils import content_str
from .agent_capability import AgentCapability

__all__ = ["DEFAULT_DESCRIPTION_PROMPT", "VisionCapability"]

DEFAULT_DESCRIPTION_PROMPT = (
    "Write a detailed caption for this image. "
    "Pay special attention to any details that might be useful or relevant "
    "to the ongoing conversation."
)

CaptionFunc = Callable[[str, Any, Any], str]


class VisionCapability(AgentCapability):
    """Captions the images an agent receives.

    Args:
        lmm_config: the ``llm_config`` of a multimodal model (e.g. gpt-4o) that writes the captions.
        description_prompt: what the multimodal model is asked for each image.
        custom_caption_func: ``(image_url, pil_image, lmm_client) -> caption`` instead of asking the model.
    """

    def __init__(
        self,
        lmm_config: Optional[Dict[str, Any]],
        description_prompt: Optional[str] = DEFAULT_DESCRIPTION_PROMPT,
        custom_caption_func: Optional[CaptionFunc] = None,
    ) -> None:
        super().__init__()
        if not lmm_config and custom_caption_func is None:
            from ....exception_utils import ConfigAssertionError

            raise ConfigAssertionError(
                "Vision Capability requires a valid lmm_config or custom_caption_func. Pass lmm_config= the "
                "llm_config of a multimodal model (e.g. gpt-4o), or custom_caption_func=(url, image, client) -> str."
            )
        if custom_caption_func is not None and not callable(custom_caption_func):
            raise TypeError("custom_caption_func must be a function (image_url, pil_image, lmm_client) -> caption.")
        self._lmm_config = lmm_config
        self._description_prompt = description_prompt or DEFAULT_DESCRIPTION_PROMPT
        self._custom_caption_func = custom_caption_func
        self._parent_agent: Any = None
        self._lmm_client: Any = None
        if lmm_config:
            from ....oai.client import OpenAIWrapper

            self._lmm_client = OpenAIWrapper(**lmm_config)
        self._captions: Dict[str, str] = {}  # by the SHA-256 of the image's data

    def add_to_agent(self, agent: Any) -> None:
        """Tell ``agent`` it can interpret images, and caption the images of each message it receives."""
        self._parent_agent = agent
        agent.update_system_message(agent.system_message + "\nYou've been given the ability to interpret images.")
        agent.register_hook(hookable_method="process_last_received_message", hook=self.process_last_received_message)

    def process_last_received_message(self, content: Union[str, List[Dict[str, Any]]]) -> str:
        """The message as text, each image shown by its location followed by its caption."""
        from ..img_utils import gpt4v_formatter

        parts = gpt4v_formatter(content, img_format="url") if isinstance(content, str) else content
        text = ""
        for part in parts:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                text += part["text"]
            elif kind == "image_url":
                url = part["image_url"]["url"]
                caption = self._caption(url)
                text += f"<img {url}> in case you can not see, the caption of this image is: {caption}\n"
            else:
                from ....io.base import IOStream

                # the classic line, word for word (its "`test`" included): scripts may look for it
                IOStream.get_default().print(
                    f"Warning: the input type should either be `test` or `image_url`. Skip {kind} here."
                )
        return text

    def _caption(self, url: str) -> str:
        """The caption of the image at ``url`` as it is now (a file such as plot.png may have been redrawn)."""
        from ..img_utils import get_image_data, get_pil_image

        if self._custom_caption_func is not None:  # called for every image, as classic did
            return self._custom_caption_func(url, get_pil_image(url), self._lmm_client)
        data = str(get_image_data(url))
        key = hashlib.sha256(data.encode()).hexdigest()  # the same picture is not described twice
        if key not in self._captions:
            self._captions[key] = self._get_image_caption(data)
        return self._captions[key]

    def _get_image_caption(self, img_data: str) -> str:
        """Ask the multimodal model for a caption of the base64-encoded image ``img_data``."""
        from ..img_utils import convert_base64_to_data_uri

        response = self._lmm_client.create(
            context=None,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": self._description_prompt},
                        {"type": "image_url", "image_url": {"url": convert_base64_to_data_uri(img_data)}},
                    ],
                }
            ],
        )
        return content_str(response.choices[0].message.content)
