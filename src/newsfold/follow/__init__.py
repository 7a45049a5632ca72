"""Following the news as it happens: poll feeds and news sitemaps, fetch the pages, ingest.

``sources`` (what to follow) -> ``fetch`` (the HTTP client) -> ``entries`` (what a feed lists)
-> ``follower`` (one round: fetch, ingest through the Pipeline, record ``state``) -> ``commands``
(``newsfold follow``, ``newsfold feeds``, ``serve --follow``).
"""
