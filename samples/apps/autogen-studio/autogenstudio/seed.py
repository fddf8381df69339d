"""The example skills, model, agents and workflows a new user finds on first start."""

from __future__ import annotations

from typing import Any, Dict

from .database import Database

FETCH_WEB_PAGE = '''def fetch_web_page_text(url: str, max_chars: int = 5000) -> str:
    """Download a web page and return its visible text (HTML tags, scripts and styles removed)."""
    import html
    import re
    import urllib.request

    with urllib.request.urlopen(url, timeout=20) as response:
        raw = response.read().decode(response.headers.get_content_charset() or "utf-8", "replace")
    raw = re.sub(r"(?is)<(script|style).*?</\\1>", " ", raw)
    text = html.unescape(re.sub(r"(?s)<[^>]+>", " ", raw))
    return re.sub(r"\\s+", " ", text).strip()[:max_chars]
'''

FIND_PAPERS = '''def find_papers_arxiv(query: str, max_results: int = 5) -> list:
    """Search arXiv and return a list of {"title", "authors", "summary", "url"} dicts for the query."""
    import urllib.parse
    import urllib.request
    import xml.etree.ElementTree as ET

    params = urllib.parse.urlencode({"search_query": f"all:{query}", "max_results": max_results})
    with urllib.request.urlopen(f"http://export.arxiv.org/api/query?{params}", timeout=30) as response:
        root = ET.fromstring(response.read())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    papers = []
    for entry in root.findall("a:entry", ns):
        papers.append({
            "title": (entry.findtext("a:title", "", ns) or "").strip(),
            "authors": [a.findtext("a:name", "", ns) for a in entry.findall("a:author", ns)],
            "summary": (entry.findtext("a:summary", "", ns) or "").strip(),
            "url": entry.findtext("a:id", "", ns),
        })
    return papers
'''

GENERATE_IMAGES = '''def generate_images(prompt: str, file_name: str = "image.png", model: str = "dall-e-3") -> str:
    """Generate an image for the prompt with an OpenAI-compatible image model and save it as file_name.

    Needs OPENAI_API_KEY (and OPENAI_BASE_URL for another server) in the environment; returns the file name.
    """
    import base64

    from openai import OpenAI

    client = OpenAI()
    result = client.images.generate(model=model, prompt=prompt, n=1, response_format="b64_json")
    with open(file_name, "wb") as f:
        f.write(base64.b64decode(result.data[0].b64_json))
    return file_name
'''

SKILLS = [
    ("fetch_web_page_text", "Fetch a web page and return its text.", FETCH_WEB_PAGE),
    ("find_papers_arxiv", "Find research papers on arXiv matching a query.", FIND_PAPERS),
    ("generate_images", "Generate an image from a prompt when an image model is configured.", GENERATE_IMAGES),
]


def seed_defaults(db: Database) -> bool:
    """Create the examples when the store is empty; return whether it did."""
    if db.list("skill") or db.list("agent") or db.list("workflow"):
        return False
    skill_ids = [db.create("skill", {"name": n, "description": d, "content": c})["id"] for n, d, c in SKILLS]
    model = db.create(
        "model",
        {
            "model": "gpt-4o",
            "api_key": None,
            "base_url": None,
            "api_type": "openai",
            "api_version": None,
            "description": "OpenAI gpt-4o: set your API key, or point base_url at any OpenAI-compatible server.",
        },
    )
    common: Dict[str, Any] = {"human_input_mode": "NEVER", "max_consecutive_auto_reply": 10}
    user = db.create(
        "agent",
        {
            "name": "user_proxy",
            "type": "userproxy",
            "description": "Runs the code the assistant writes.",
            "system_message": "",
            "code_execution": True,
            "model_ids": [],
            "skill_ids": [],
            **common,
        },
    )
    assistant = db.create(
        "agent",
        {
            "name": "primary_assistant",
            "type": "assistant",
            "description": "A general assistant that writes Python code and uses the skills.",
            "system_message": "",
            "code_execution": False,
            "model_ids": [model["id"]],
            "skill_ids": skill_ids,
            **common,
        },
    )
    critic = db.create(
        "agent",
        {
            "name": "critic",
            "type": "assistant",
            "description": "Reviews the plan and the results.",
            "system_message": "You review the other agents' work and point out mistakes. Reply TERMINATE when the "
            "task is done.",
            "code_execution": False,
            "model_ids": [model["id"]],
            "skill_ids": [],
            **common,
        },
    )
    db.create(
        "workflow",
        {
            "name": "Default Workflow",
            "description": "A user proxy that runs code and a general assistant.",
            "type": "twoagents",
            "sender_id": user["id"],
            "receiver_id": assistant["id"],
            "agent_ids": [],
            "speaker_selection_method": "auto",
            "max_round": 10,
            "summary_method": "last_msg",
        },
    )
    db.create(
        "workflow",
        {
            "name": "Group Chat Workflow",
            "description": "An assistant and a critic, coordinated by a manager.",
            "type": "groupchat",
            "sender_id": user["id"],
            "receiver_id": None,
            "agent_ids": [user["id"], assistant["id"], critic["id"]],
            "speaker_selection_method": "auto",
            "max_round": 10,
            "summary_method": "last_msg",
        },
    )
    return True
