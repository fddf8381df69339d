"""img_utils: image tags, parts, data URIs, PIL conversion and image token costs."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Iterator

import pytest
from images_api import png_bytes
from site_server import SiteServer

from autogen.agentchat.contrib import img_utils
from autogen.agentchat.contrib.img_utils import (
    convert_base64_to_data_uri,
    extract_img_paths,
    get_image_data,
    get_pil_image,
    gpt4v_formatter,
    llava_formatter,
    message_formatter_pil_to_b64,
    num_tokens_from_gpt_image,
    pil_to_data_uri,
)

PNG = png_bytes(4, 3, (10, 200, 30))
PNG_B64 = base64.b64encode(PNG).decode()


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "square.png"
    path.write_bytes(PNG)
    return path


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "remote.png").write_bytes(PNG)
    with SiteServer(folder) as server:
        yield server


def test_get_image_data_from_file_url_data_uri_and_base64(png_file: Path, site: SiteServer) -> None:
    assert get_image_data(str(png_file)) == PNG_B64
    assert get_image_data(str(png_file), use_b64=False) == PNG
    assert get_image_data(site.url + "/remote.png", use_b64=False) == PNG
    assert get_image_data("data:image/png;base64," + PNG_B64, use_b64=False) == PNG
    assert get_image_data(PNG_B64, use_b64=False) == PNG
    with pytest.raises(ValueError, match="Cannot load the image"):
        get_image_data("no/such/file.png")


def test_data_uri_type_is_read_from_the_data() -> None:
    assert convert_base64_to_data_uri(PNG_B64) == "data:image/png;base64," + PNG_B64
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 20).decode()
    assert convert_base64_to_data_uri(jpeg).startswith("data:image/jpeg;base64,")
    gif = base64.b64encode(b"GIF89a" + b"\0" * 20).decode()
    assert convert_base64_to_data_uri(gif).startswith("data:image/gif;base64,")


def test_gpt4v_formatter_turns_tags_into_parts(png_file: Path, site: SiteServer) -> None:
    uri = "data:image/png;base64," + PNG_B64
    parts = gpt4v_formatter(f'Compare <img {png_file}> with <img src="{site.url}/remote.png"> and <img {uri}>.')
    assert [p["type"] for p in parts] == ["text", "image_url", "text", "image_url", "text", "image_url", "text"]
    assert parts[0]["text"] == "Compare " and parts[-1]["text"] == "."
    assert all(p["image_url"]["url"] == uri for p in parts if p["type"] == "image_url")
    # "url" keeps the locations as written
    kept = gpt4v_formatter(f"<img {site.url}/remote.png> here", img_format="url")
    assert kept == [
        {"type": "text", "text": ""},  # classic: text first, empty when the prompt begins with the tag
        {"type": "image_url", "image_url": {"url": f"{site.url}/remote.png"}},
        {"type": "text", "text": " here"},
    ]
    assert gpt4v_formatter("no images") == [{"type": "text", "text": "no images"}]


def test_unloadable_image_tag_stays_in_the_text(capsys: Any) -> None:
    parts = gpt4v_formatter("see <img missing.png> please")
    assert parts == [{"type": "text", "text": "see <img missing.png> please"}]
    assert "Warning! Unable to load image from missing.png" in capsys.readouterr().out


def test_llava_formatter(png_file: Path) -> None:
    prompt, images = llava_formatter(f"A <img {png_file}> and <img '{png_file}'>")
    assert prompt == "A <image> and <image>" and images == [PNG_B64, PNG_B64]
    ordered, _ = llava_formatter(f"A <img {png_file}> and <img {png_file}>", order_image_tokens=True)
    assert ordered == "A <image 0> and <image 1>"


def test_extract_img_paths() -> None:
    text = "Look at https://example.com/a/cat.JPG, then ./pics/dog.png and notes.txt; also /tmp/x.webp."
    assert extract_img_paths(text) == ["https://example.com/a/cat.JPG", "./pics/dog.png", "/tmp/x.webp"]
    assert extract_img_paths("nothing here") == []


def test_pil_images_become_data_uris(png_file: Path) -> None:
    image = get_pil_image(str(png_file))
    assert image.size == (4, 3) and image.mode == "RGB"
    assert image.getpixel((0, 0)) == (10, 200, 30)
    uri = pil_to_data_uri(image)
    assert uri.startswith("data:image/png;base64,")
    assert get_pil_image(uri).getpixel((1, 1)) == (10, 200, 30)
    plain = {"role": "user", "content": "text only"}
    messages = [plain, {"role": "user", "content": [{"type": "image_url", "image_url": {"url": image}}]}]
    converted = message_formatter_pil_to_b64(messages)
    assert converted[0] is plain  # untouched messages are not copied
    assert converted[1]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert messages[1]["content"][0]["image_url"]["url"] is image  # the input is not modified


def test_num_tokens_from_gpt_image(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes(1024, 1024))
    assert num_tokens_from_gpt_image(str(big)) == 85 + 170 * 4  # scaled to 768x768: 2x2 tiles
    assert num_tokens_from_gpt_image(str(big), low_quality=True) == 85
    wide = tmp_path / "wide.png"
    wide.write_bytes(png_bytes(4096, 1024))
    # fit into 2048 -> 2048x512; shorter side below 768: 4x1 tiles
    assert num_tokens_from_gpt_image(str(wide), model="gpt-4o") == 85 + 170 * 4
    assert num_tokens_from_gpt_image(str(big), model="gpt-4o-mini") == 2833 + 5667 * 4
    with pytest.raises(ValueError, match="Unknown image token cost"):
        num_tokens_from_gpt_image(str(big), model="gpt-3.5-turbo")


def test_missing_pillow_names_the_extra(monkeypatch: pytest.MonkeyPatch, png_file: Path) -> None:
    monkeypatch.setitem(__import__("sys").modules, "PIL.Image", None)
    with pytest.raises(ImportError, match=r"pyautogen\[lmm\]"):
        img_utils.get_pil_image(str(png_file))
    assert get_image_data(str(png_file)) == PNG_B64  # files need no pillow
