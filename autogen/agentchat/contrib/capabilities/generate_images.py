"""Image generation as a capability: an agent that is asked for a picture answers with one.

``ImageGeneration(generator).add_to_agent(agent)`` registers a reply that, for each message the agent
answers, asks a :class:`~autogen.agentchat.contrib.text_analyzer_agent.TextAnalyzerAgent` whether the
message requests an image; if so, the analyzer writes the image prompt, the :class:`ImageGenerator` draws
it (``DalleImageGenerator``: the OpenAI images API through the openai SDK), and the agent replies with a
text part and the image as a data-URI image part. With a ``cache`` (any AutoGen cache), an image already
generated for the same prompt, model, size and quality is taken from it. Needs pillow
(``pip install "pyautogen[lmm]"``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Protocol, Tuple, Union, runtime_checkable

from ...._flow import Flow, Invoke
from ....code_utils import content_str
from ...agent import Agent
from .._flow_reply import reply_from_flow
from ..img_utils import get_pil_image, pil_to_data_uri
from ..text_analyzer_agent import TextAnalyzerAgent, analysis_flow
from .agent_capability import AgentCapability

if TYPE_CHECKING:
    from PIL.Image import Image

    from ....cache.abstract_cache_base import AbstractCache

__all__ = ["DalleImageGenerator", "ImageGeneration", "ImageGenerator"]

SYSTEM_MESSAGE = "You can also create images: when you are asked for a picture, it is drawn for you and shown."
DESCRIPTION_MESSAGE = "This agent can create images from a description."
PROMPT_INSTRUCTIONS = """Write the prompt for an image generator that draws the image the TEXT asks for.
Describe only what the image shows (subject, setting, style, colours, composition) in one paragraph.
Reply with the prompt alone, for example: A red fox asleep in fresh snow at dawn, soft light, watercolour."""
WANTS_IMAGE_INSTRUCTIONS = """Does the TEXT ask for an image (a picture, drawing, photo, illustration) to be created?
Only an explicit request counts; talking about images is not a request. Answer with one word: yes or no."""

DALLE_MODELS = ("dall-e-2", "dall-e-3")
_RESOLUTION = re.compile(r"^\d+x\d+$")


@runtime_checkable
class ImageGenerator(Protocol):
    """Draws images from text prompts."""

    def generate_image(self, prompt: str) -> Image:
        """The image for ``prompt`` (a PIL image)."""
        ...

    def cache_key(self, prompt: str) -> str:
        """The key under which the image for ``prompt`` is cached: it must change with every setting that
        changes the image (model, size, quality...)."""
        ...


def _validate_model(model: Any) -> str:
    if not isinstance(model, str) or not (model in DALLE_MODELS or model.startswith("gpt-image")):
        raise ValueError(
            f"Invalid DALL-E model: {model}. Must be 'dall-e-3' or 'dall-e-2' (or an OpenAI 'gpt-image-*' model)."
        )
    return model


def _validate_resolution(resolution: str) -> str:
    if not isinstance(resolution, str) or not _RESOLUTION.match(resolution):
        raise ValueError(f"Invalid resolution format: {resolution}. Write it as WIDTHxHEIGHT, e.g. '1024x1024'.")
    return resolution


class DalleImageGenerator:
    """Images from OpenAI's images API (``client.images.generate``), through the openai SDK.

    Args:
        llm_config: the config of the image model: its first ``config_list`` entry (``model``: "dall-e-3",
            "dall-e-2" or a "gpt-image" model; ``api_key``; ``base_url``; Azure settings as for chat models).
        resolution: the image size, "WIDTHxHEIGHT" ("1024x1024", "1792x1024", ...).
        quality: "standard" or "hd" for DALL-E 3 (other models have their own values).
        num_images: how many images to ask for (the first one is used).
        response_format: "url" or "b64_json"; None leaves the API's default.
    """

    def __init__(
        self,
        llm_config: Dict[str, Any],
        resolution: str = "1024x1024",
        quality: str = "standard",
        num_images: int = 1,
        response_format: Optional[Literal["url", "b64_json"]] = None,
    ):
        config_list = llm_config.get("config_list") or [llm_config]
        config = {k: v for k, v in llm_config.items() if k != "config_list"}
        config.update(config_list[0])
        self._model = _validate_model(config.get("model"))
        self._resolution = _validate_resolution(resolution)
        self._quality = quality
        self._num_images = num_images
        self._response_format = response_format
        self._config = config
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The (pooled) openai SDK client of the config's endpoint."""
        if self._client is None:
            from ....oai.client_pool import get_sync_client, make_endpoint
            from ....oai.config import prepare_config_list

            entry = prepare_config_list([self._config], {})[0]
            kwargs = dict(entry.client_kwargs)
            if entry.api_type == "azure" and self._config.get("api_version"):
                kwargs["api_version"] = self._config["api_version"]
            self._client = get_sync_client(make_endpoint(entry.api_type, kwargs, self._model))
        return self._client

    def generate_image(self, prompt: str) -> Image:
        params: Dict[str, Any] = {
            "model": self._model,
            "prompt": prompt,
            "size": self._resolution,
            "quality": self._quality,
            "n": self._num_images,
        }
        if self._response_format is not None:
            params["response_format"] = self._response_format
        options = {k: self._config[k] for k in ("timeout", "max_retries") if self._config.get(k) is not None}
        client = self.client.with_options(**options) if options else self.client
        response = client.images.generate(**params)
        if not response.data:
            raise ValueError(f"The images API returned no image for the prompt {prompt!r}.")
        item = response.data[0]
        if getattr(item, "b64_json", None):
            return get_pil_image("data:image/png;base64," + item.b64_json)
        if getattr(item, "url", None):
            return get_pil_image(item.url)
        raise ValueError(f"The images API returned neither a URL nor image data for the prompt {prompt!r}.")

    def cache_key(self, prompt: str) -> str:
        return ",".join(str(k) for k in (prompt, self._model, self._resolution, self._quality, self._num_images))


def _is_yes(answer: str) -> bool:
    return bool(re.search(r"\byes\b", answer.lower()))


def _append_text(content: Any, text: str) -> Any:
    if isinstance(content, list):
        return [*content, {"type": "text", "text": text}]
    return f"{content or ''}{text}"


class ImageGeneration(AgentCapability):
    """Lets an agent answer requests for images with generated images (see the module doc).

    Args:
        image_generator: what draws the images (e.g. :class:`DalleImageGenerator`).
        cache: where generated images are kept (as PNG data URIs), by ``image_generator.cache_key(prompt)``.
        text_analyzer_llm_config: the LLM that decides whether an image is asked for and writes its prompt
            (default: the agent's ``llm_config``).
        text_analyzer_instructions: how to turn the message into an image prompt.
        verbosity: 0 quiet; 1 prints the prompt of each image; 2 also the analyzer's answers.
        register_reply_position: where the reply goes in the agent's reply list (2: after termination and
            tool-call handling, before code execution and the LLM).
    """

    def __init__(
        self,
        image_generator: ImageGenerator,
        cache: Optional[AbstractCache] = None,
        text_analyzer_llm_config: Optional[Dict[str, Any]] = None,
        text_analyzer_instructions: str = PROMPT_INSTRUCTIONS,
        verbosity: int = 0,
        register_reply_position: int = 2,
    ):
        super().__init__()
        self._image_generator = image_generator
        self._cache = cache
        self._text_analyzer_llm_config = text_analyzer_llm_config
        self._text_analyzer_instructions = text_analyzer_instructions
        self._verbosity = verbosity
        self._register_reply_position = register_reply_position
        self._agent: Any = None
        self._text_analyzer: Optional[TextAnalyzerAgent] = None

    def add_to_agent(self, agent: Any) -> None:
        """Give ``agent`` the capability: a reply function, and a note in its system message and description."""
        config = self._text_analyzer_llm_config or agent.llm_config
        if not config:
            raise ValueError(
                "ImageGeneration needs an LLM for its text analyzer: give the agent an llm_config, "
                "or pass text_analyzer_llm_config."
            )
        self._agent = agent
        self._text_analyzer_llm_config = config
        self._text_analyzer = TextAnalyzerAgent(
            llm_config={k: v for k, v in config.items() if k not in ("tools", "functions")}
        )
        agent.register_reply(
            [Agent, None], reply_from_flow(self._image_gen_flow), position=self._register_reply_position
        )
        agent.update_system_message(_append_text(agent.system_message, "\n" + SYSTEM_MESSAGE))
        agent.description = f"{agent.description}\n{DESCRIPTION_MESSAGE}"

    def _image_gen_reply(
        self, recipient: Any, messages: Optional[List[Dict[str, Any]]], sender: Any, config: Any
    ) -> Tuple[bool, Any]:
        """The reply function (synchronous edge over :meth:`_image_gen_flow`)."""
        return reply_from_flow(self._image_gen_flow)(recipient, messages, sender, config)

    def _image_gen_flow(
        self, recipient: Any, messages: Optional[List[Dict[str, Any]]] = None, sender: Any = None, config: Any = None
    ) -> Flow[Tuple[bool, Any]]:
        if not messages:
            return False, None
        text = content_str(messages[-1].get("content"))
        if not text:
            return False, None
        analyzer = self._analyzer()
        answer = yield from analysis_flow(analyzer, text, WANTS_IMAGE_INSTRUCTIONS)
        self._log(2, f"Image requested? {answer}")
        if not _is_yes(answer):
            return False, None
        prompt = yield from analysis_flow(analyzer, text, self._text_analyzer_instructions)
        self._log(1, f"Image prompt: {prompt}")
        image = self._cache_get(prompt)
        if image is None:
            image = yield Invoke(self._image_generator.generate_image, args=(prompt,), blocking=True)
            self._cache_set(prompt, image)
        return True, self._generate_content_message(prompt, image)

    def _analyzer(self) -> TextAnalyzerAgent:
        if self._text_analyzer is None:
            raise RuntimeError("ImageGeneration.add_to_agent(agent) must be called before the capability is used.")
        return self._text_analyzer

    def _log(self, level: int, text: str) -> None:
        if self._verbosity >= level:
            from ....io.base import IOStream
            from ...printing import colored

            IOStream.get_default().print(colored(text, "cyan"), flush=True)

    def _cache_get(self, prompt: str) -> Optional[Image]:
        if self._cache is None:
            return None
        cached = self._cache.get(self._image_generator.cache_key(prompt))
        return get_pil_image(cached) if cached else None

    def _cache_set(self, prompt: str, image: Image) -> None:
        if self._cache is not None:
            self._cache.set(self._image_generator.cache_key(prompt), pil_to_data_uri(image))

    @staticmethod
    def _extract_analysis(analysis: Union[str, Dict[str, Any], None]) -> str:
        if isinstance(analysis, dict):
            return content_str(analysis.get("content"))
        return content_str(analysis)

    @staticmethod
    def _generate_content_message(prompt: str, image: Image) -> Dict[str, Any]:
        return {
            "content": [
                {"type": "text", "text": f"I generated an image with the prompt: {prompt}"},
                {"type": "image_url", "image_url": {"url": pil_to_data_uri(image)}},
            ]
        }
