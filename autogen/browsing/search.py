"""Web search through the Bing Web Search API (or any endpoint answering in its format)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

__all__ = ["BING_BASE_URL", "bing_results_markdown", "bing_search"]

BING_BASE_URL = "https://api.bing.microsoft.com/v7.0/search"


def bing_search(
    query: str, api_key: str, base_url: str = BING_BASE_URL, request_kwargs: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """The JSON answer of the search API for ``query`` (raises ``requests`` errors)."""
    from .._optional import import_optional

    requests = import_optional("requests", package="requests", extra="websurfer", feature="Web search")
    kwargs = dict(request_kwargs or {})
    headers = {**kwargs.pop("headers", {}), "Ocp-Apim-Subscription-Key": api_key}
    kwargs.setdefault("timeout", 30)
    params = {**kwargs.pop("params", {}), "q": query, "textDecorations": False, "textFormat": "raw"}
    response = requests.get(base_url, headers=headers, params=params, **kwargs)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _entries(results: Dict[str, Any], section: str) -> List[Dict[str, Any]]:
    value = (results.get(section) or {}).get("value") or []
    return [v for v in value if isinstance(v, dict)]


def bing_results_markdown(query: str, results: Dict[str, Any]) -> str:
    """Search results as a numbered markdown list of links with their snippets (web, then news)."""
    web: List[str] = []
    for page in _entries(results, "webPages"):
        web.append(f"{len(web) + 1}. [{page.get('name', '')}]({page.get('url', '')})\n{page.get('snippet', '')}")
        for deep in page.get("deepLinks") or []:
            web.append(f"{len(web) + 1}. [{deep.get('name', '')}]({deep.get('url', '')})\n{deep.get('snippet', '')}")
    news: List[str] = []
    for page in _entries(results, "news"):
        published = f" (published {page['datePublished']})" if page.get("datePublished") else ""
        number = len(web) + len(news) + 1  # the news go on with the numbers of the web results (classic)
        news.append(
            f"{number}. [{page.get('name', '')}]({page.get('url', '')}){published}\n{page.get('description', '')}"
        )
    # the classic layout: "A Bing search for ...", "## News Results:"
    text = f"A Bing search for '{query}' found {len(web) + len(news)} results:\n\n## Web Results\n"
    text += "\n\n".join(web) if web else "(none)"
    if news:
        text += "\n\n## News Results:\n" + "\n\n".join(news)
    return text
