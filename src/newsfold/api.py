"""The HTTP JSON API and the web pages over one store (FastAPI; ``newsfold serve``).

Reads go through read-only SQLite connections, one per thread. Reads bounded by design (story
lists, an article, a story whose heavy parts are cached) run on the event loop, which serves them
about twice as fast as a hop to a worker thread; the rest run in worker threads. The only write,
POST /api/articles, goes through one writer that takes the store's writer lock on first use and keeps
it (and the linker state) until the server stops. Every ``NewsfoldError`` becomes its
``http_status`` in ``_error_response``, the one place that maps errors; /api paths answer JSON,
pages answer HTML.
"""
from __future__ import annotations

import hmac
import json
import re
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__, readmodel
from .config import Settings
from .errors import ConfigError, NewsfoldError
from .store import STORY_INDEX_VERSION, Store

MAX_BODY_BYTES = 8 * 1024 * 1024  # a POST body larger than this is refused with 413
MAX_INGEST_ARTICLES = 1000
LANG_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"
SECURITY_HEADERS = [
    (b"content-security-policy", (b"default-src 'none'; script-src 'self'; connect-src 'self'; "
                                  b"style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
                                  b"frame-ancestors 'none'")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


# -- response and request shapes (the OpenAPI spec) ---------------------------------------
def _iso_day(value: object) -> object:
    # Only the YYYY-MM-DD form: pydantic alone would also take a number as a Unix time.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("must be a day written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?")


def _iso_time(value: object) -> object:
    # Only ISO 8601 date and time: pydantic alone would also take a number as a Unix time.
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        return value
    raise ValueError("must be a time written YYYY-MM-DDTHH:MM:SS, with a zone (UTC without one)")


Time = Annotated[datetime, BeforeValidator(_iso_time)]


class ErrorDetail(BaseModel):
    status: int
    message: str
    details: list[dict[str, Any]] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


class StorySummary(BaseModel):
    id: str
    title: str
    size: int = Field(description="articles in the story, copies included")
    originals: int
    copies: int
    first_date: str | None
    last_date: str | None
    updated: str | None = Field(default=None, description="when the story last changed in this store (UTC)")
    languages: list[str]
    outlets: list[str]


class StoryPage(BaseModel):
    stories: list[StorySummary]
    next_cursor: str | None = Field(description="pass as cursor for the next page; null on the last page")


class ArticleSummary(BaseModel):
    id: str
    title: str
    date: str | None
    outlet: str
    url: str
    lang: str
    story_id: str
    duplicate_of: str | None
    summary_only: bool
    excerpt: str


class TimelineBin(BaseModel):
    start: str = Field(description="start of the day (YYYY-MM-DD) or hour (ISO datetime, UTC)")
    outlet: str
    articles: int
    copies: int


class Timeline(BaseModel):
    unit: Literal["day", "hour"]
    bins: list[TimelineBin]
    undated: int


class StoryDetail(StorySummary):
    articles: list[ArticleSummary] = Field(description="earliest first; copies carry duplicate_of")
    articles_shown: int
    timeline: Timeline
    coverage: dict[str, Any] | None = Field(
        description="coverage comparison (articles, shared, unique, quotes, timeline); null when unavailable")


class OriginalRef(BaseModel):
    id: str
    title: str
    outlet: str


class ArticleDetail(ArticleSummary):
    text: str
    score: float = Field(description="the linking score that placed it in its story (1.0 for copies)")
    original: OriginalRef | None
    copies: list[str]
    story: StorySummary


class CompareResult(BaseModel):
    a: ArticleSummary
    b: ArticleSummary
    same_story: bool
    overall: float = Field(description="SemEval-2022 Task 8 scale: 1 = same event ... 4 = unrelated")
    similarity: float = Field(description="(4 - overall) / 3, in [0, 1]")
    reasons: list[str]


class ArticleIn(BaseModel):
    """One article to ingest: the JSONL input fields. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1)
    title: str = ""
    date: str | None = Field(default=None, description="ISO-8601; a naive time is taken as UTC")
    source: str = ""
    url: str = ""
    lang: str = ""

    @field_validator("url")
    @classmethod
    def _parsable_url(cls, url: str) -> str:
        try:
            _ = urlsplit(url).hostname  # raises on what the pipeline's outlet() cannot parse
        except ValueError as exc:
            raise ValueError(f"url cannot be parsed ({exc}): send a plain http(s) URL or none") from None
        return url


class IngestRequest(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_INGEST_ARTICLES)


class Placement(BaseModel):
    id: str
    story_id: str
    duplicate_of: str | None


class Rejected(BaseModel):
    origin: str
    reason: str


class IngestResult(BaseModel):
    counts: dict[str, int]
    articles: list[Placement]
    rejected: list[Rejected]


class Stats(BaseModel):
    version: str
    articles: int
    duplicates: int
    stories: int
    rejections: int


# -- store access -------------------------------------------------------------------------
class Readers:
    """One read-only connection per thread (SQLite connections are cheap; sharing one serialises reads)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store.read(self.db)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for s in self._all:
                s.close()
            self._all.clear()


class Engines:
    """The embedder and models, loaded on first use and shared by compare and ingest."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._embedder: Any = None
        self._similarity: Any = None

    def embedder(self) -> Any:
        with self._lock:
            if self._embedder is None:
                from .embed import get_embedder

                self._embedder = get_embedder(self.settings.embedder)
            return self._embedder

    def score_pairs(self, pairs: list[Any]) -> list[dict[str, Any]]:
        from .pairs import score_pairs
        from .similarity import SimilarityModel

        embedder = self.embedder()
        with self._lock:
            if self._similarity is None:
                self._similarity = SimilarityModel.load()
        return score_pairs(pairs, embedder, self._similarity, self.settings.lead_words)


class Writer:
    """The server's single writer: one ingest at a time, the store lock held from first use on."""

    def __init__(self, db: Path, settings: Settings, engines: Engines) -> None:
        self.db, self.settings, self.engines = db, settings, engines
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._pipeline: Any = None

    def ingest(self, articles: list[ArticleIn]) -> dict[str, Any]:
        from .ingest.tabular import from_record
        from .model import Rejection
        from .pipeline import Pipeline

        items = []
        for a in articles:
            row = a.model_dump()
            items.append(from_record(row, f"http:{a.id}", json.dumps(row, ensure_ascii=False).encode()))
        def work(store: Store, pipeline: Pipeline) -> tuple[Any, list[dict[str, Any]]]:
            counts = pipeline.run(items, strict=False, on_reject=rejected.append)
            placed = []
            for a in articles:
                row = store.conn.execute("SELECT id, story_id, duplicate_of FROM articles WHERE id=?",
                                         (a.id,)).fetchone()
                if row is not None:
                    placed.append(dict(row))
            return counts, placed

        rejected: list[Rejection] = []
        counts, placed = self.run(work)
        return {"counts": counts.as_dict(), "articles": placed,
                "rejected": [{"origin": r.origin, "reason": r.reason} for r in rejected]}

    def run(self, work: Any) -> Any:
        """``work(store, pipeline)`` as the one writer (HTTP ingest and ``serve --follow`` share it)."""
        from .pipeline import Pipeline

        with self._lock:
            if self._pipeline is None:
                self._store = Store.open(self.db)
                self._pipeline = Pipeline(self._store, self.settings, embedder=self.engines.embedder())
            return work(self._store, self._pipeline)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = self._pipeline = None


def prepare_store(db: str | Path) -> None:
    """Make sure the store exists and has the browse/search tables (briefly takes the writer lock if not)."""
    with Store.read(db) as store:
        current = (store.get_meta("story_index") == STORY_INDEX_VERSION
                   and store.updated_column() != "NULL AS updated")  # story_updates exists
    if not current:
        Store.open(db).close()


# -- errors, in one place -----------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_response(request: Request, status: int, message: str,
                    details: list[dict[str, Any]] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message, "details": details or []}}, status)
    from .web.pages import render_error

    return render_error(request, status, message)


def _validation_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()))
        details.append({"location": where, "problem": str(e.get("msg", "invalid"))})
    text = "; ".join(f"{d['location']}: {d['problem']}" for d in details[:5])
    return f"invalid request: {text}", details


class Guard:
    """ASGI wrapper: refuse bodies over ``max_body`` bytes (413) and add security headers to every answer."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_big = declared is not None and (not declared.isdigit() or int(declared) > self.max_body)
        body_chunks: list[Message] = []
        if not too_big and scope["method"] in ("POST", "PUT", "PATCH"):
            size = 0
            while True:  # read the whole body first (it is bounded), counting chunked bodies too
                message = await receive()
                body_chunks.append(message)
                size += len(message.get("body", b""))
                if size > self.max_body:
                    too_big = True
                    break
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
        if too_big:
            body = json.dumps({"error": {"status": 413, "message": f"request body over {self.max_body} bytes: "
                                         "send fewer articles per request", "details": []}}).encode()
            await send_with_headers({"type": "http.response.start", "status": 413,
                                     "headers": [(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

        async def replay() -> Message:
            return body_chunks.pop(0) if body_chunks else await receive()

        await self.app(scope, replay if body_chunks else receive, send_with_headers)


# -- the app ------------------------------------------------------------------------------
# Module level: FastAPI resolves these annotations (strings, under __future__) in module globals.
bearer = HTTPBearer(auto_error=False, description="the api_token setting")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "unknown id"},
    422: {"model": ErrorBody, "description": "a parameter that is not allowed"},
}


def create_app(db: str | Path, settings: Settings | None = None, max_body_bytes: int = MAX_BODY_BYTES) -> ASGIApp:
    """The ASGI app over the store in ``db`` (which must exist)."""
    db = Path(db)
    settings = settings or Settings()
    readers = Readers(db)
    engines = Engines(settings)
    writer = Writer(db, settings, engines)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()
        readers.close()

    app = FastAPI(
        title="newsfold",
        version=__version__,
        description="Stories built from news articles across outlets and languages. Reads need no token; "
                    "POST /api/articles needs `Authorization: Bearer <api_token>`.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the Swagger page loads scripts from a CDN; the spec is at /api/openapi.json
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.readers = readers
    app.state.settings = settings
    app.state.writer = writer  # serve --follow writes through it too

    @app.exception_handler(NewsfoldError)
    async def newsfold_error(request: Request, exc: NewsfoldError) -> Response:
        return _error_response(request, exc.http_status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, details = _validation_message(list(exc.errors()))
        return _error_response(request, 422, message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status, message = exc.status_code, str(exc.detail)
        if status == 404:
            message = f"no such page: {request.url.path}"
        elif status == 400:  # FastAPI's answer to a body it cannot decode: a bad parameter like any other
            status, message = 422, "request body is not JSON in UTF-8: send the articles as a JSON object"
        response = _error_response(request, status, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.get("/api/stories", response_model=StoryPage, responses=ERRORS, tags=["stories"])
    async def list_stories(
        order: Literal["newest", "largest"] = "newest",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
        lang: Annotated[str | None, Query(pattern=LANG_PATTERN, description="ISO 639-1 code, e.g. en")] = None,
        outlet: Annotated[str | None, Query(max_length=300, description="outlet domain, e.g. bbc.co.uk")] = None,
        date_from: Annotated[Day | None, Query(description="stories with an article on or after this day")] = None,
        date_to: Annotated[Day | None, Query(description="stories with an article on or before this day")] = None,
        q: Annotated[str | None, Query(max_length=300, description="words in titles or names (all must match)")] = None,
        since: Annotated[Time | None, Query(description=(
            "only stories that changed in the store after this time (ISO 8601; UTC if no zone): pass the "
            "largest `updated` seen so far to poll cheaply"))] = None,
    ) -> dict[str, Any]:
        """Stories, newest (last article) or largest first, with filters; follow next_cursor for more."""
        db = readers.get()  # this thread's read-only connection
        query = readmodel.StoryQuery(order, limit, cursor, lang, outlet, date_from, date_to, q, since)
        return readmodel.list_stories(db, query)

    @app.get("/api/stories/{story_id}", response_model=StoryDetail, responses=ERRORS, tags=["stories"])
    async def get_story(
        story_id: str,
        articles: Annotated[int, Query(ge=1, le=1000, description="at most this many articles")] = 100,
        coverage: Annotated[bool, Query(description=(
            "include the coverage comparison: it reads whole texts, so a first request for a big story "
            "takes a second or more (cached after)"))] = False,
    ) -> dict[str, Any]:
        """One story: its articles (earliest first), outlets, languages, timeline and, with ``coverage=true``,
        the coverage comparison."""
        db = readers.get()
        if readmodel.cheap_to_read(db, story_id, coverage):
            return readmodel.story_detail(db, story_id, articles, coverage)
        return await run_in_threadpool(lambda: readmodel.story_detail(readers.get(), story_id, articles, coverage))

    @app.get("/api/articles/{article_id:path}", response_model=ArticleDetail, responses=ERRORS, tags=["articles"])
    async def get_article(article_id: str) -> dict[str, Any]:
        """One article with its text, its story, the article it copies (duplicate_of) and its copies."""
        db = readers.get()  # this thread's read-only connection
        return readmodel.article_detail(db, article_id)

    @app.get("/api/compare", response_model=CompareResult, responses=ERRORS, tags=["articles"])
    def compare(
        a: Annotated[str, Query(min_length=1, max_length=500, description="article id")],
        b: Annotated[str, Query(min_length=1, max_length=500, description="article id")],
    ) -> dict[str, Any]:
        """Whether two stored articles report the same event: SemEval-2022 score and the reasons."""
        db = readers.get()  # this thread's read-only connection
        return readmodel.compare_pair(db, a, b, engines.score_pairs)

    @app.get("/api/stats", response_model=Stats, tags=["store"])
    def stats() -> dict[str, Any]:
        """What the store holds."""
        db = readers.get()  # this thread's read-only connection
        return {"version": __version__, **db.counts()}

    @app.post(
        "/api/articles",
        response_model=IngestResult,
        tags=["articles"],
        responses={**ERRORS, 401: {"model": ErrorBody, "description": "missing or wrong token"},
                   403: {"model": ErrorBody, "description": "HTTP ingest is disabled (api_token is empty)"},
                   413: {"model": ErrorBody, "description": "request body too large"},
                   503: {"model": ErrorBody, "description": "another process holds the store's writer lock"}},
    )
    def ingest(
        body: IngestRequest,
        credentials: Credentials,
    ) -> dict[str, Any]:
        """Add articles (as in JSONL input) to the store; bad ones are rejected with reasons, never dropped."""
        if not settings.api_token:
            raise StarletteHTTPException(403, "HTTP ingest is disabled: start the server with the api_token setting")
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), settings.api_token.encode()):
            raise StarletteHTTPException(401, "missing or wrong token: send 'Authorization: Bearer <api_token>'",
                                         headers={"WWW-Authenticate": "Bearer"})
        return writer.ingest(body.articles)

    from .web.pages import mount_pages

    mount_pages(app)
    return Guard(app, max_body_bytes)


def serve(db: str | Path, settings: Settings, host: str = "127.0.0.1", port: int = 8000,
          announce: Any = print, follow: str | None = None, every: str = "10m") -> None:
    """Run the server until interrupted; ``port=0`` picks a free port (the announced address says which).
    ``follow``: a sources file the follower polls meanwhile, in a thread, through the app's one writer."""
    import uvicorn

    if follow:
        from .follow.commands import parse_every, start_in_thread

        interval = parse_every(every)
        Store.open(db).close()  # a new store is created (and refused now if another process writes to it)
    prepare_store(db)
    app = create_app(db, settings)
    stop_following = start_in_thread(follow, app.app.state.writer, settings, interval) if follow else None
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    announce(f"Serving {db} at http://{shown}:{sock.getsockname()[1]}/ "
             "(JSON API under /api, spec at /api/openapi.json; Ctrl-C stops)")
    try:
        uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
    finally:
        if stop_following:
            stop_following()
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    """The listening address, bound before anything is announced, so a taken port is a one-line error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror or exc}; choose another --port or --host") \
            from None
    return sock
