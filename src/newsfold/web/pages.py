"""Server-rendered pages: story list, search, one story, one article. Jinja autoescapes all text.

The views are async (they run on the event loop, like the API's bounded reads; see api.py); a story
whose first read is heavy goes to a worker thread.

Article content is untrusted: it reaches the page only through autoescaped template variables
(never ``|safe``), links to the original go out only for http(s) URLs, and the server's
Content-Security-Policy allows no script but the site's own static file: ``coverage.js``, which
fills in a story's coverage comparison. That comparison reads whole texts (a second or more for a
big story), so a story page never waits for it: it comes from ``/stories/{id}/coverage`` after the
page is shown, and is in the page itself once cached.
"""
from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .. import readmodel
from ..errors import InputError
from .chart import timeline_chart

PAGE_SIZE = 25
STORY_PAGE_ARTICLES = 50  # articles listed on a story page; ?articles=N shows more
MAX_STORY_PAGE_ARTICLES = 1000

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("newsfold.web", "templates"),
    autoescape=True,  # every template, whatever its name
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)
router = APIRouter(include_in_schema=False)
# The rendered timeline chart per story version (like the timeline it draws): hundreds of dots for a big story.
_charts = readmodel.VersionCache(4096)
_items = readmodel.VersionCache(8192)  # a story's entry in story lists, per story version


def _when(value: str | None, with_time: bool = True) -> str:
    if not value:
        return "undated"
    d = datetime.fromisoformat(value)
    return f"{d.day} {d:%b %Y}" + (f", {d:%H:%M} UTC" if with_time else "")


def _span(first: str | None, last: str | None) -> str:
    if not first or not last:
        return "undated"
    a, b = datetime.fromisoformat(first), datetime.fromisoformat(last)
    if a.date() == b.date():
        return f"{a.day} {a:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}" if a.month != b.month else f"{a.day}–{b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def safe_url(url: str) -> str | None:
    """The URL if it is plain http(s), else None (a ``javascript:`` link must never be rendered)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(b.split()) for b in text.replace("\r", "").split("\n\n")]
    return [b for b in blocks if b] or [text]


_env.filters.update(when=_when, safe_url=safe_url, paragraphs=_paragraphs, urlid=lambda v: quote(str(v), safe=""))
_env.globals.update(span=_span)


def _day(name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} {value!r} is not a day: write it YYYY-MM-DD") from None


def _chart_svg(story: dict[str, Any]) -> Markup | None:
    chart = timeline_chart(story["timeline"])
    # Rendered by the autoescaping template, so the Markup holds only escaped outlet names.
    return Markup(_env.get_template("_timeline.html").render(chart=chart)) if chart else None


def _story_item(story: dict[str, Any]) -> Markup:
    # Rendered by the autoescaping template; a list page joins 25 of these instead of rendering them.
    return _items.get(("item", *readmodel.story_version(story)),
                      lambda: Markup(_env.get_template("_story_item.html").render(s=story)))


def render_error(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message, "q": ""},
                                      status_code=status)


def _same_page(request: Request, **params: Any) -> str:
    """A link to this page with other query parameters: relative, never built from the Host header."""
    return "?" + request.url.include_query_params(**params).query


def _stories_page(request: Request, template: str, q: readmodel.StoryQuery) -> HTMLResponse:
    store = request.app.state.readers.get()
    result = readmodel.list_stories(store, q)
    more = None
    if result["next_cursor"]:
        more = _same_page(request, cursor=result["next_cursor"])
    context = {"items": [_story_item(s) for s in result["stories"]], "more": more, "query": q, "q": q.q or "",
               "langs": store.story_values("lang"), "outlets": store.story_values("outlet", 300),
               "filtered": bool(q.lang or q.outlet or q.date_from or q.date_to or q.q), "first_page": not q.cursor}
    return templates.TemplateResponse(request, template, context)


Order = Literal["newest", "largest"]


@router.get("/", response_class=HTMLResponse)
async def story_list(
    request: Request,
    order: Order = "newest",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    lang: Annotated[str | None, Query(max_length=20)] = None,
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    # The filter form sends every field, empty ones as "": those mean "any".
    query = readmodel.StoryQuery(order, PAGE_SIZE, cursor or None, lang or None, outlet or None,
                                 _day("date_from", date_from), _day("date_to", date_to), q or None)
    return _stories_page(request, "stories.html", query)


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=300)] = "",
    order: Order = "newest",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    query = readmodel.StoryQuery(order, PAGE_SIZE, cursor, q=q or None)
    if not readmodel.fts_query(q):
        store = request.app.state.readers.get()
        return templates.TemplateResponse(request, "search.html", {
            "items": [], "more": None, "query": query, "q": q, "langs": store.story_values("lang"),
            "outlets": [], "filtered": False, "first_page": True, "empty_query": True})
    return _stories_page(request, "search.html", query)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story_page(
    request: Request,
    story_id: str,
    articles: Annotated[int, Query(ge=1, le=MAX_STORY_PAGE_ARTICLES)] = STORY_PAGE_ARTICLES,
) -> HTMLResponse:
    readers = request.app.state.readers
    store = readers.get()
    if readmodel.cheap_to_read(store, story_id, False):
        story = readmodel.story_detail(store, story_id, articles, with_coverage=False)
    else:
        story = await run_in_threadpool(
            lambda: readmodel.story_detail(readers.get(), story_id, articles, with_coverage=False))
    more = None
    if story["articles_shown"] < story["size"] and articles < MAX_STORY_PAGE_ARTICLES:
        more = _same_page(request, articles=MAX_STORY_PAGE_ARTICLES)
    coverage = readmodel.cached_coverage(story)
    context = {"story": story, "groups": readmodel.fold_copies(story["articles"]), "more": more,
               "chart": _charts.get(("chart", *readmodel.story_version(story)), lambda: _chart_svg(story)),
               "coverage": coverage, "coverage_pending": coverage is None and readmodel.wants_coverage(story),
               "q": ""}
    return templates.TemplateResponse(request, "story.html", context)


@router.get("/stories/{story_id}/coverage", response_class=HTMLResponse)
async def story_coverage(request: Request, story_id: str) -> HTMLResponse:
    """The coverage comparison alone, as the section the story page shows (computed in a worker thread)."""
    readers = request.app.state.readers

    def compute() -> dict[str, Any] | None:
        store = readers.get()
        return readmodel.coverage_for(store, store.story(story_id))

    coverage = await run_in_threadpool(compute)
    if coverage is None:
        return HTMLResponse('<section class="coverage" id="coverage"></section>')
    return templates.TemplateResponse(request, "_coverage.html", {"coverage": coverage})


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
async def article_page(request: Request, article_id: str) -> HTMLResponse:
    store = request.app.state.readers.get()
    article = readmodel.article_detail(store, article_id)
    return templates.TemplateResponse(request, "article.html", {"article": article, "q": ""})


def mount_pages(app: FastAPI) -> None:
    static = resources.files("newsfold.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(router)
