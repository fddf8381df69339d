"""LLaVA: an open multimodal model, served three ways, and ``LLaVAAgent`` to chat with it.

Where each config of the ``config_list`` points decides how it is called:

* ``"api_type": "llava"``, or an http(s) ``base_url`` that does not end in ``/v1``: a LLaVA model worker
  (the LLaVA project's own server): ``POST {base_url}/worker_generate_stream`` with the prompt and the base64
  images; the answer streams back as JSON chunks separated by NUL bytes.
* ``"api_type": "replicate"``, or a ``base_url`` that is not a URL (a Replicate model reference such as
  ``"yorickvp/llava-13b:<version>"``): the Replicate API (``pip install "pyautogen[lmm]"``, and
  ``REPLICATE_API_TOKEN`` set). Replicate's LLaVA takes one image.
* otherwise an OpenAI-compatible endpoint serving a LLaVA model (vLLM, Ollama, LM Studio...): a chat
  completion with the images as image parts.

The configs are tried in order until one answers.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Literal, Optional, Tuple

from ..._flow import Flow, Invoke, flow_backed, run_sync
from ..._optional import import_optional
from ...code_utils import content_str
from ...exception_utils import AutoGenError
from ..agent import Agent
from ..printing import colored
from .img_utils import convert_base64_to_data_uri, get_image_data, llava_formatter
from .multimodal_conversable_agent import MultimodalConversableAgent

__all__ = ["LLaVAAgent", "LLaVAError", "llava_call", "llava_call_binary", "llava_mode"]

logger = logging.getLogger(__name__)

SEP = "###"
DEFAULT_SYSTEM_MESSAGE = "You are a helpful assistant who describes and reasons about images."
DEFAULT_LLAVA_SYS_MSG = DEFAULT_SYSTEM_MESSAGE  # the classic name
WORKER_TIMEOUT = 120.0
EMPTY_ANSWER_RETRIES = 3

LLaVAMode = Literal["openai", "worker", "replicate"]


class LLaVAError(AutoGenError, RuntimeError):
    """No config of the list gave an answer; the message lists what each one said."""


def llava_mode(config: Dict[str, Any]) -> LLaVAMode:
    """How a config is called: "worker" (LLaVA model worker), "replicate" or "openai" (see the module doc)."""
    api_type = config.get("api_type")
    if api_type == "replicate":
        return "replicate"
    if api_type == "llava":
        return "worker"
    base_url = str(config.get("base_url") or "")
    if not base_url:
        return "openai"
    if not base_url.startswith(("http://", "https://")):
        return "replicate"
    return "openai" if base_url.rstrip("/").endswith("/v1") else "worker"


def _strip_prompt(output: str, prompt: str) -> str:
    return output.replace(prompt, "").strip()


def _call_worker(
    prompt: str, images: List[str], config: Dict[str, Any], max_new_tokens: int, temperature: float
) -> str:
    import httpx

    payload = {
        "model": config.get("model"),
        "prompt": prompt,
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "stop": SEP,
        "images": images,
    }
    url = str(config["base_url"]).rstrip("/") + "/worker_generate_stream"
    response = httpx.post(url, json=payload, headers={"User-Agent": "AutoGen LLaVA client"}, timeout=WORKER_TIMEOUT)
    response.raise_for_status()
    output = ""
    for chunk in response.content.split(b"\0"):
        if not chunk.strip():
            continue
        data = json.loads(chunk.decode("utf-8"))
        if data.get("error_code"):
            raise LLaVAError(f"The LLaVA worker answered error {data['error_code']}: {data.get('text', '')}")
        output = str(data.get("text", ""))
    # the worker streams the prompt followed by the answer, which ends at the next separator
    answer = output[len(prompt) :] if output.startswith(prompt) else output.split(SEP)[-1]
    answer = answer.split(SEP)[0].strip()
    return answer[len("Assistant:") :].strip() if answer.startswith("Assistant:") else answer


def _call_replicate(prompt: str, images: List[str], config: Dict[str, Any], seed: Optional[int]) -> str:
    replicate = import_optional("replicate", package="replicate", extra="lmm", feature="LLaVA on Replicate")
    inputs: Dict[str, Any] = {"prompt": prompt.replace("<image>", " ")}
    if images:
        inputs["image"] = convert_base64_to_data_uri(images[0])
    if seed is not None:
        inputs["seed"] = seed
    model = config.get("base_url") or config.get("model")
    output = replicate.run(model, input=inputs)
    text = output if isinstance(output, str) else "".join(str(piece) for piece in output)
    return _strip_prompt(text, prompt)


def _openai_parts(prompt: str, images: List[str]) -> List[Dict[str, Any]]:
    """The prompt's ``<image>`` tokens replaced, in order, by the images as image parts."""
    parts: List[Dict[str, Any]] = []
    pieces = prompt.split("<image>")
    for i, piece in enumerate(pieces):
        if piece:
            parts.append({"type": "text", "text": piece})
        if i < len(pieces) - 1 and i < len(images):
            parts.append({"type": "image_url", "image_url": {"url": convert_base64_to_data_uri(images[i])}})
    return parts


def _call_openai(
    prompt: str, images: List[str], config: Dict[str, Any], max_new_tokens: int, temperature: float
) -> str:
    from ...oai.client import OpenAIWrapper

    client = OpenAIWrapper(config_list=[config], cache_seed=None)
    response = client.create(
        messages=[{"role": "user", "content": _openai_parts(prompt, images)}],
        max_tokens=max_new_tokens,
        temperature=temperature,
    )
    text = client.extract_text_or_completion_object(response)[0]
    return content_str(text if isinstance(text, str) else getattr(text, "content", None)).strip()


def _call_one(
    prompt: str, images: List[str], config: Dict[str, Any], max_new_tokens: int, temperature: float, seed: Optional[int]
) -> str:
    mode = llava_mode(config)
    if mode == "worker":
        return _call_worker(prompt, images, config, max_new_tokens, temperature)
    if mode == "replicate":
        return _call_replicate(prompt, images, config, seed)
    return _call_openai(prompt, images, config, max_new_tokens, temperature)


def llava_call_binary(
    prompt: str,
    images: List[str],
    config_list: List[Dict[str, Any]],
    max_new_tokens: int = 1000,
    temperature: float = 0.5,
    seed: Optional[int] = 1,
) -> str:
    """LLaVA's answer to ``prompt`` (with ``<image>`` tokens) about ``images`` (base64), from the first
    config that answers. Raises :class:`LLaVAError` when none does."""
    if not config_list:
        raise LLaVAError("llava_call needs a config_list with at least one config.")
    failures = []
    for index, config in enumerate(config_list):
        try:
            return _call_one(prompt, images, config, max_new_tokens, temperature, seed)
        except Exception as exc:  # noqa: BLE001 - try the next config, report all at the end
            logger.warning("LLaVA config %d (%s) failed: %s", index, llava_mode(config), exc)
            failures.append(f"config {index} ({llava_mode(config)}): {type(exc).__name__}: {exc}")
    raise LLaVAError("No LLaVA config answered:\n" + "\n".join(failures))


def llava_call(prompt: str, llm_config: Dict[str, Any]) -> str:
    """LLaVA's answer to ``prompt``, a text with ``<img path-or-url>`` tags.

    ``llm_config``: ``config_list`` and optionally ``max_new_tokens`` (2000), ``temperature`` (0.5), ``seed``.
    """
    prompt, images = llava_formatter(prompt, order_image_tokens=False)
    if any(not image for image in images):
        raise ValueError("An image of the prompt is empty.")
    return llava_call_binary(
        prompt,
        images,
        config_list=llm_config["config_list"],
        max_new_tokens=llm_config.get("max_new_tokens", 2000),
        temperature=llm_config.get("temperature", 0.5),
        seed=llm_config.get("seed"),
    )


def llava_conversation(system_message: Any, messages: List[Dict[str, Any]]) -> Tuple[str, List[str]]:
    """A conversation in LLaVA's prompt format (``###Human: ...`` / ``###Assistant: ...``, images as
    ``<image>``) and its images as base64, in order."""
    images: List[str] = []
    lines = [content_str(system_message)]
    for message in messages:
        role = "Human" if message.get("role") == "user" else "Assistant"
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") == "image_url":
                    image = part["image_url"]
                    images.append(get_image_data(image["url"] if isinstance(image, dict) else image))  # type: ignore[arg-type]
        lines.append(f"{SEP}{role}: {content_str(content)}")
    return "\n".join(lines) + f"\n\n{SEP}Assistant: ", images


def llava_reply_flow(
    agent: LLaVAAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Answer with LLaVA; configs that are all OpenAI-compatible are left to the multimodal LLM reply."""
    if messages is None and sender is None:
        raise ValueError("LLaVAAgent needs messages or a sender to reply to.")
    if messages is None:
        messages = agent.chat_messages[sender]
    llm_config = agent.llm_config if isinstance(agent.llm_config, dict) else {}
    config_list = llm_config.get("config_list") or [llm_config]
    if all(llava_mode(c) == "openai" for c in config_list):
        return False, None
    prompt, images = llava_conversation(agent.system_message, messages)
    agent._iostream().print(colored(prompt, "blue"), flush=True)
    out = ""
    for _ in range(EMPTY_ANSWER_RETRIES):
        out = yield Invoke(
            llava_call_binary,
            args=(prompt, images, config_list),
            kwargs={
                "max_new_tokens": llm_config.get("max_new_tokens", 2000),
                "temperature": llm_config.get("temperature", 0.5),
                "seed": llm_config.get("seed"),
            },
            blocking=True,
        )
        if out:
            break
    if not out:
        raise LLaVAError(f"LLaVA gave an empty answer {EMPTY_ANSWER_RETRIES} times.")
    return True, out


class LLaVAAgent(MultimodalConversableAgent):
    """A multimodal agent answered by a LLaVA model (see the module doc for the ways to serve one).

    Args:
        name: the agent's name.
        system_message: the system prompt.
        **kwargs: the other MultimodalConversableAgent arguments; ``llm_config`` is required, and may hold
            ``max_new_tokens``, ``temperature`` and ``seed`` next to ``config_list``.
    """

    def __init__(self, name: str, system_message: str = DEFAULT_SYSTEM_MESSAGE, **kwargs: Any):
        super().__init__(name, system_message=system_message, **kwargs)
        if not self.llm_config:
            raise ValueError("LLaVAAgent needs an llm_config with a config_list.")
        self.register_reply([Agent, None], reply_func=LLaVAAgent._image_reply, position=2)

    @flow_backed(llava_reply_flow)
    def _image_reply(
        self, messages: Optional[List[Dict[str, Any]]] = None, sender: Optional[Agent] = None, config: Any = None
    ) -> Tuple[bool, Any]:
        return run_sync(llava_reply_flow(self, messages, sender, config))
