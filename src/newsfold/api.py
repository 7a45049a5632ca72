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

import asyncio
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
        from .model import Article, Rejection
        from .pipeline import Pipeline, storable

        items = []
        for a in articles:
            row = a.model_dump()
            raw = json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass")
            items.append(storable(from_record(row, f"http:{a.id}", raw)))

        def work(store: Store, pipeline: Pipeline) -> tuple[Any, list[dict[str, Any]]]:
            counts = pipeline.run(items, strict=False, on_reject=rejected.append)
            placed = []
            for item in items:
                if not isinstance(item, Article):
                    continue
                row = store.conn.execute("SELECT id, story_id, duplicate_of FROM articles WHERE id=?",
                                         (item.id,)).fetchone()
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
                self._store = Store.open(self.db, holder="newsfold serve")
                self._pipeline = Pipeline(self._store, self.settings, embedder=self.engines.embedder())
            try:
                return work(self._store, self._pipeline)
            except BaseException:
                # Nothing of the failed batch was committed; the next request starts from the store.
                self._store.close()  # type: ignore[union-attr]
                self._store = self._pipeline = None
                raise

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


BODY_TIMEOUT_S = 60.0  # longest a request body may take to arrive (a slower client gets 408)
TOKEN_PATHS = {"/api/articles"}  # POST here needs the token, checked before the body is read


def check_token(api_token: str, authorization: str) -> tuple[int, str]:
    """(0, "") when the header carries the token; else the status (403 ingest off, 401) and why."""
    if not api_token:
        return 403, "HTTP ingest is disabled: start the server with the api_token setting"
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), api_token.encode()):
        return 401, "missing or wrong token: send 'Authorization: Bearer <api_token>'"
    return 0, ""


class Guard:
    """ASGI wrapper: the token of a write checked before its body (401/403), bodies over ``max_body``
    bytes refused (413), a body that stalls for ``BODY_TIMEOUT_S`` refused (408), and security headers
    on every answer."""

    def __init__(self, app: ASGIApp, max_body: int, api_token: str | None = None,
                 body_timeout: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.max_body = max_body
        self.api_token = api_token
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        async def refuse(status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
            body = json.dumps({"error": {"status": status, "message": message, "details": []}}).encode()
            await send_with_headers({"type": "http.response.start", "status": status,
                                     "headers": [(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(body)).encode()), *headers]})
            await send({"type": "http.response.body", "body": body})

        headers = dict(scope.get("headers", []))
        if self.api_token is not None and scope["method"] == "POST" and scope["path"] in TOKEN_PATHS:
            status, why = check_token(self.api_token, headers.get(b"authorization", b"").decode("latin-1"))
            if status:
                await refuse(status, why, ((b"www-authenticate", b"Bearer"),) if status == 401 else ())
                return
        declared = headers.get(b"content-length")
        too_big = declared is not None and (not declared.isdigit() or int(declared) > self.max_body)
        body_chunks: list[Message] = []
        if not too_big and scope["method"] in ("POST", "PUT", "PATCH"):
            size = 0
            deadline = asyncio.get_running_loop().time() + self.body_timeout
            while True:  # read the whole body first (it is bounded), counting chunked bodies too
                try:
                    message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
                except asyncio.TimeoutError:
                    await refuse(408, f"request body not received within {self.body_timeout:g} s")
                    return
                body_chunks.append(message)
                size += len(message.get("body", b""))
                if size > self.max_body:
                    too_big = True
                    break
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
        if too_big:
            await refuse(413, f"request body over {self.max_body} bytes: send fewer articles per request")
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


def create_app(db: str | Path, settings: Settings | None = None, max_body_bytes: int = MAX_BODY_BYTES,
               body_timeout: float = BODY_TIMEOUT_S) -> ASGIApp:
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
        # Guard has checked the token before the body was read; checked again here for the app alone.
        status, why = check_token(settings.api_token, f"Bearer {credentials.credentials}" if credentials else "")
        if status:
            raise StarletteHTTPException(status, why, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
        return writer.ingest(body.articles)

    from .web.pages import mount_pages

    mount_pages(app)
    return Guard(app, max_body_bytes, settings.api_token, body_timeout)


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
        # An idle connection is closed after 5 s (also before its first request), a stalled body
        # after BODY_TIMEOUT_S (Guard), and at most 1,000 connections are served at once (503 beyond).
        config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=5,
                                limit_concurrency=1000, timeout_graceful_shutdown=10, http=_idle_timeout_protocol())
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        if stop_following:
            stop_following()
        sock.close()


HEADER_TIMEOUT_S = 10.0  # longest a request's line and headers may take to arrive


def _idle_timeout_protocol() -> type:
    """uvicorn's HTTP protocol with its keep-alive timer also started when a connection opens, so a
    client that connects and sends nothing is closed like an idle keep-alive connection, and a
    request whose headers trickle in for over HEADER_TIMEOUT_S is closed too."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class IdleTimeoutProtocol(HttpToolsProtocol):
        _header_timer: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

        def on_headers_complete(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

        def _headers_too_slow(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

    return IdleTimeoutProtocol


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
