"""Web-shaped fixtures the tests build themselves: HTML pages, RSS and Atom feeds, WARC files.

Every text here was written for newsfold's tests; the outlets, places and people are invented
and all sites use the reserved ``.example`` domain.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Page:
    url: str
    site: str
    title: str
    date: str  # ISO 8601 with offset, as the page states it; "" for a page that states none
    lang: str
    paragraphs: tuple[str, ...]
    extra_meta: tuple[tuple[str, str], ...] = field(default=())

    @property
    def host(self) -> str:
        return self.url.split("/")[2].removeprefix("www.")


PAGES: tuple[Page, ...] = (
    Page(
        url="https://www.lakeshoretimes.example/2026/04/orvella-ferry-suspended-after-engine-fire",
        site="Lakeshore Times",
        title="Orvella ferry suspended after engine fire forces evacuation",
        date="2026-04-14T07:45:00+02:00",
        lang="en",
        paragraphs=(
            ("The ferry service across Lake Orvella between Kestrel Point and Marrow Bay was suspended on "
            "Monday after a fire broke out in the engine room of the MV Lindqvist during its first crossing "
            "of the morning."),
            ("All 143 passengers and nine crew members were taken off the vessel by two rescue boats from the "
            "Marrow Bay harbour station. The harbour master, Ingrid Sollberg, said nobody was hurt and that "
            "the fire had been put out by the ship's own extinguishing system within twenty minutes."),
            ("The operator, Orvella Lake Lines, said the remaining two ferries would stay in port until "
            "inspectors had checked their engines. Commuters were told to use the lakeside road, which adds "
            "about fifty minutes to the journey."),
        ),
    ),
    Page(
        url="https://nachrichten-am-see.example/artikel/faehre-orvella-brand",
        site="Nachrichten am See",
        title="Brand im Maschinenraum: Fähre auf dem Orvella-See eingestellt",
        date="2026-04-14T11:20:00+02:00",
        lang="de",
        paragraphs=(
            ("Nach einem Feuer im Maschinenraum der MV Lindqvist ist der Fährverkehr zwischen Kestrel Point "
            "und Marrow Bay am Montag eingestellt worden."),
            ("Die 143 Fahrgäste und neun Besatzungsmitglieder wurden von zwei Rettungsbooten an Land gebracht. "
            "Hafenmeisterin Ingrid Sollberg sagte, niemand sei verletzt worden."),
            ("Die Reederei Orvella Lake Lines lässt ihre beiden anderen Fähren im Hafen, bis Prüfer die Motoren "
            "untersucht haben. Pendler müssen die Uferstraße nehmen."),
        ),
    ),
    Page(
        url="https://www.journal-des-lacs.example/faits-divers/traversier-orvella-incendie.html",
        site="Le Journal des Lacs",
        title="Incendie à bord : les traversées du lac Orvella suspendues",
        date="2026-04-14T13:05:00+02:00",
        lang="fr",
        paragraphs=(
            ("Un incendie s'est déclaré lundi matin dans la salle des machines du MV Lindqvist, qui assurait la "
            "liaison entre Kestrel Point et Marrow Bay sur le lac Orvella."),
            ("Les 143 passagers et les neuf membres d'équipage ont été évacués par deux bateaux de sauvetage. "
            "Selon la capitaine du port, Ingrid Sollberg, il n'y a aucun blessé."),
            ("La compagnie Orvella Lake Lines garde ses deux autres traversiers à quai jusqu'à la fin des "
            "inspections."),
        ),
    ),
    Page(
        url="https://highlandcourier.example/science/talvik-telescope-first-light",
        site="Highland Courier",
        title="Talvik telescope sees first light after nine years of building",
        date="2026-05-02T21:00:00+00:00",
        lang="en",
        paragraphs=(
            ("The new 4.2-metre telescope on Mount Talvik recorded its first images on Saturday night, nine "
            "years after construction began on the windswept summit."),
            ("Project director Amara Quist said the first target was the Pinwheel-like galaxy catalogued as "
            "TQ 118, chosen because it sits high above the horizon in early May. The images will be released "
            "next week once the optics have been fine-tuned."),
            ("The observatory cost 212 million crowns and is shared by four universities. Public tours of the "
            "visitor centre start in July."),
        ),
    ),
    Page(
        url="https://www.diario-montana.example/ciencia/telescopio-talvik",
        site="Diario de la Montaña",
        title="El telescopio del monte Talvik capta su primera luz",
        date="2026-05-03T09:30:00+02:00",
        lang="es",
        paragraphs=(
            ("El nuevo telescopio de 4,2 metros del monte Talvik obtuvo sus primeras imágenes el sábado por la "
            "noche, nueve años después del inicio de las obras."),
            ("La directora del proyecto, Amara Quist, explicó que el primer objetivo fue la galaxia TQ 118. Las "
            "imágenes se publicarán la próxima semana."),
        ),
    ),
    Page(
        url="https://riverbendpost.example/local/library-reopens",
        site="Riverbend Post",
        title="Riverbend central library reopens with rooftop reading garden",
        date="",  # states no date: a WARC copy falls back on its WARC-Date
        lang="en",
        paragraphs=(
            ("Riverbend's central library reopened its doors on Thursday after a two-year renovation that "
            "added a rooftop reading garden, a recording studio and a children's floor."),
            ("Head librarian Tomasz Wren said more than 2,000 people came through in the first four hours, and "
            "that the lending desk ran out of new library cards before lunch."),
        ),
    ),
)

BOILERPLATE_NAV = "Home | Local | Business | Sport | Weather | Subscribe"
BOILERPLATE_FOOTER = "Copyright the publisher. All rights reserved. Cookie settings. Contact the newsroom."


def page_html(page: Page, canonical: bool = True, charset: str = "utf-8") -> bytes:
    """A full page with navigation and footer around the article, metadata in <head>."""
    esc = html.escape
    head = [f'<meta charset="{charset}">', f"<title>{esc(page.title)} | {esc(page.site)}</title>",
            f'<meta property="og:site_name" content="{esc(page.site)}">',
            f'<meta property="og:title" content="{esc(page.title)}">']
    if page.date:
        head.append(f'<meta property="article:published_time" content="{page.date}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{page.url}">')
    head += [f'<meta name="{esc(k)}" content="{esc(v)}">' for k, v in page.extra_meta]
    body = "\n".join(f"<p>{esc(p)}</p>" for p in page.paragraphs)
    doc = (
        f'<!DOCTYPE html>\n<html lang="{page.lang}">\n<head>\n' + "\n".join(head) + "\n</head>\n<body>\n"
        f'<header><nav><ul>{"".join(f"<li><a href=/{w.lower()}>{w}</a></li>" for w in BOILERPLATE_NAV.split(" | "))}'
        f"</ul></nav></header>\n<main><article>\n<h1>{esc(page.title)}</h1>\n{body}\n</article></main>\n"
        f'<aside><h3>Most read</h3><ul><li><a href="/x">Weather warning for the weekend</a></li></ul></aside>\n'
        f"<footer><p>{BOILERPLATE_FOOTER}</p></footer>\n</body>\n</html>\n"
    )
    return doc.encode(charset)


def write_pages(directory: Path, pages: tuple[Page, ...] = PAGES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, page in enumerate(pages):
        path = directory / f"page{i:02d}.html"
        path.write_bytes(page_html(page))
        paths.append(path)
    return paths


# -- feeds ----------------------------------------------------------------------------------
RSS_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Lakeshore Times - Top stories</title>
  <link>https://www.lakeshoretimes.example/</link>
  <description>News from around Lake Orvella</description>
  <language>en-gb</language>
  <item>
    <title>Orvella ferry suspended after engine fire forces evacuation</title>
    <link>https://www.lakeshoretimes.example/2026/04/orvella-ferry-suspended-after-engine-fire</link>
    <guid isPermaLink="false">lt-2026-0414-ferry</guid>
    <pubDate>Tue, 14 Apr 2026 05:45:00 GMT</pubDate>
    <description>A fire in the engine room of the MV Lindqvist forced the evacuation of 143 passengers.</description>
    <content:encoded><![CDATA[<p>The ferry service across Lake Orvella was suspended on Monday after a fire broke
    out in the engine room of the <b>MV Lindqvist</b>.</p><p>All 143 passengers and nine crew were taken off by two
    rescue boats.</p><script>trackReader()</script>]]></content:encoded>
  </item>
  <item>
    <title>Marrow Bay harbour fees to rise by a tenth</title>
    <link>https://www.lakeshoretimes.example/2026/04/marrow-bay-harbour-fees</link>
    <guid isPermaLink="false">lt-2026-0415-fees</guid>
    <pubDate>Wed, 15 Apr 2026 08:00:00 +0200</pubDate>
    <description><![CDATA[<p>Mooring at <a href="/marrow-bay">Marrow Bay</a> will cost ten percent more from June,
    the harbour board decided on Tuesday evening.</p>]]></description>
  </item>
  <item>
    <title>Kestrel Point rowing club celebrates its centenary</title>
    <link>https://www.lakeshoretimes.example/2026/04/rowing-club-centenary</link>
    <pubDate>the day after yesterday, probably</pubDate>
    <description>Members old and new gathered at the boathouse for a regatta and a long lunch
    on the shore.</description>
  </item>
</channel>
</rss>
"""

ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Highland Courier: Science</title>
  <link href="https://highlandcourier.example/science/"/>
  <id>tag:highlandcourier.example,2026:science</id>
  <updated>2026-05-02T21:30:00Z</updated>
  <entry>
    <title>Talvik telescope sees first light after nine years of building</title>
    <link href="https://highlandcourier.example/science/talvik-telescope-first-light"/>
    <id>tag:highlandcourier.example,2026:talvik-first-light</id>
    <published>2026-05-02T21:00:00Z</published>
    <updated>2026-05-02T21:10:00Z</updated>
    <summary>The 4.2-metre telescope on Mount Talvik recorded its first images.</summary>
    <content type="html">&lt;p&gt;The new 4.2-metre telescope on Mount Talvik recorded its first images on Saturday
    night, nine years after construction began.&lt;/p&gt;&lt;p&gt;Project director Amara Quist said the first target
    was the galaxy TQ 118.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title type="html">Glacier survey finds the Skarn ice field &lt;i&gt;thinning faster&lt;/i&gt;</title>
    <link href="https://highlandcourier.example/science/skarn-glacier-survey"/>
    <id>tag:highlandcourier.example,2026:skarn-survey</id>
    <updated>2026-04-28T10:00:00+01:00</updated>
    <summary type="html">&lt;p&gt;Surveyors measured a loss of 1.8 metres of ice thickness on the Skarn field
    since last spring, nearly twice the average of the past decade.&lt;/p&gt;</summary>
  </entry>
</feed>
"""


# -- WARC -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WarcRecordSpec:
    """What a test expects of one record: 'page' (an article) or the start of the skip reason."""

    kind: str
    uri: str
    expect: str
    page: Page | None = None
    warc_date: str = ""


def write_warc(
    path: Path, pages: tuple[Page, ...] = PAGES, gz: bool = True, extras: bool = True
) -> list[WarcRecordSpec]:
    """A crawl of ``pages``: warcinfo, then a request and a response per page, plus (``extras``) a redirect,
    a 404, an image and a metadata record. Returns what each record should become, in file order."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    specs: list[WarcRecordSpec] = []
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "newsfold tests", "format": "WARC/1.0"}))
        specs.append(WarcRecordSpec("warcinfo", "", "warcinfo record"))

        def response(uri: str, status: str, ctype: str, body: bytes, date: str, headers=()) -> None:
            http = StatusAndHeaders(status, [("Content-Type", ctype), *headers], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date}))

        for i, page in enumerate(pages):
            date = f"2026-06-{i + 1:02d}T12:00:00Z"
            req = StatusAndHeaders(f"GET /{page.url.split('/', 3)[3]} HTTP/1.1", [("Host", page.url.split("/")[2])],
                                   is_http_request=True)
            w.write_record(w.create_warc_record(page.url, "request", payload=io.BytesIO(b""), http_headers=req,
                                                warc_headers_dict={"WARC-Date": date}))
            specs.append(WarcRecordSpec("request", page.url, "request record"))
            response(page.url, "200 OK", "text/html; charset=utf-8", page_html(page, canonical=False), date)
            specs.append(WarcRecordSpec("response", page.url, "page", page, date))
        if extras:
            response("http://riverbendpost.example/library", "301 Moved Permanently", "text/html", b"",
                     "2026-06-20T12:00:00Z", [("Location", "https://riverbendpost.example/local/library-reopens")])
            specs.append(WarcRecordSpec("response", "http://riverbendpost.example/library", "HTTP 301 response"))
            response("https://highlandcourier.example/missing", "404 Not Found", "text/html",
                     b"<html><body><p>Page not found</p></body></html>", "2026-06-20T12:01:00Z")
            specs.append(WarcRecordSpec("response", "https://highlandcourier.example/missing", "HTTP 404 response"))
            png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
            response("https://highlandcourier.example/img/talvik.png", "200 OK", "image/png", png,
                     "2026-06-20T12:02:00Z")
            specs.append(WarcRecordSpec("response", "https://highlandcourier.example/img/talvik.png",
                                        "not HTML (image/png)"))
            w.write_record(w.create_warc_record("https://highlandcourier.example/missing", "metadata",
                                                payload=io.BytesIO(b"outlinks: none\n"),
                                                warc_content_type="application/warc-fields"))
            specs.append(WarcRecordSpec("metadata", "", "metadata record"))
    return specs


# -- generated pages (crash and concurrency tests) -------------------------------------------
_EVENTS = (
    ("Dunmore", "water main burst floods the market square", ("A water main burst under {town}'s market square "
     "early on {day}, flooding {n} shops and closing the square to traffic. Utility crews shut the valve after "
     "{h} hours, and the council said repairs would take until the weekend.")),
    ("Ellery", "council approves a new tram line", ("{town} council voted {n} to {m} on {day} to build a tram "
     "line from the station to the university, a project estimated at {h}0 million crowns. Construction is "
     "due to start next spring.")),
    ("Farrow Heath", "wildfire forces evacuation of hill farms", ("Firefighters on {day} were still fighting a "
     "wildfire on {town} that has burned {n} hectares of heath. {h} farms were evacuated as a precaution and "
     "the road over the ridge is closed.")),
    ("Gallowmere", "football club names a new coach", ("{town} Rovers named a new head coach on {day} after a "
     "run of {n} defeats in {m} matches. The club's chairman said the appointment was unanimous and that the "
     "coach would take charge of training within {h} days.")),
)
_OUTLETS = ("northfieldgazette.example", "valleyherald.example", "coastwire.example", "the-ledger.example")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def generated_pages(n: int, seed: int = 7) -> tuple[Page, ...]:
    """``n`` pages about four invented events, each written up by several outlets with different numbers."""
    import random

    rng = random.Random(seed)
    pages = []
    for i in range(n):
        event = i % len(_EVENTS)
        town, headline, body = _EVENTS[event]
        outlet = _OUTLETS[(i // len(_EVENTS)) % len(_OUTLETS)]
        facts = {"town": town, "day": rng.choice(_DAYS), "n": rng.randint(3, 90), "m": rng.randint(1, 9),
                 "h": rng.randint(2, 9)}
        second = (f"Reporters from {outlet.split('.')[0]} spoke to {rng.randint(2, 30)} residents; "
                  f"several said it was the {rng.choice(['second', 'third', 'first'])} time this year.")
        pages.append(Page(
            url=f"https://{outlet}/{event}/{i}-{town.lower().replace(' ', '-')}",
            site=outlet.split(".")[0].title(),
            title=f"{town}: {headline} ({i})",
            date=(f"2026-07-{1 + event * 3 + rng.randint(0, 1):02d}"
                  f"T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00+00:00"),
            lang="en",
            paragraphs=(body.format(**facts), second),
        ))
    return tuple(pages)
