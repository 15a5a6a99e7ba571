"""What a web page says about itself, read from its HTML: title, OpenGraph and Twitter card
properties, schema.org JSON-LD, and the post id and author handle that a platform's URL
carries.

References: the Open Graph protocol (https://ogp.me/, incl. ``article:published_time`` and
``article:author``); Twitter/X cards markup (https://developer.x.com/en/docs/x-for-websites/
cards/overview/markup); schema.org ``SocialMediaPosting``/``NewsArticle`` in JSON-LD
(https://schema.org/SocialMediaPosting, https://www.w3.org/TR/json-ld11/). Pure: text in,
record out; no I/O.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from evidencelab.collect.records import PageFacts

# Platform post URLs: (platform, host pattern, path pattern with `author` and/or `post`).
PLATFORM_URLS: tuple[tuple[str, str, str], ...] = (
    ("x", r"(^|\.)(twitter|x)\.com$", r"^/(?P<author>[A-Za-z0-9_]+)/status/(?P<post>\d+)"),
    ("telegram", r"^t\.me$", r"^/(?:s/)?(?P<author>[A-Za-z0-9_]+)/(?P<post>\d+)"),
    ("instagram", r"(^|\.)instagram\.com$", r"^/(?:p|reel)/(?P<post>[A-Za-z0-9_-]+)"),
    ("tiktok", r"(^|\.)tiktok\.com$", r"^/@(?P<author>[^/]+)/video/(?P<post>\d+)"),
    ("facebook", r"(^|\.)facebook\.com$", r"^/(?P<author>[^/]+)/(?:posts|videos)/(?P<post>[^/?]+)"),
    ("youtube", r"(^|\.)youtu\.be$", r"^/(?P<post>[A-Za-z0-9_-]{11})"),
    ("youtube", r"(^|\.)youtube\.com$", r"^/shorts/(?P<post>[A-Za-z0-9_-]{11})"),
    ("vk", r"(^|\.)vk\.com$", r"^/wall(?P<author>-?\d+)_(?P<post>\d+)"),
)
POST_TYPES = {"SocialMediaPosting", "NewsArticle", "Article", "BlogPosting", "VideoObject"}


class _Markup(HTMLParser):
    """Collects the ``<title>``, ``<meta>`` properties, canonical link and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.json_ld: list[str] = []
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values:
                self.meta.setdefault(key, values["content"].strip())
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href")
        elif tag == "title" and self.title is None:
            self._in, self._text = "title", []
        elif tag == "script" and values.get("type", "").lower() == "application/ld+json":
            self._in, self._text = "json_ld", []

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in == "title" and tag == "title":
            self.title = " ".join("".join(self._text).split()) or None
            self._in = None
        elif self._in == "json_ld" and tag == "script":
            self.json_ld.append("".join(self._text))
            self._in = None


def page_facts(html: str, url: str) -> PageFacts:
    """The facts ``html`` (served at ``url``) states about itself; a fact no markup states
    is None. Precedence: JSON-LD post, then OpenGraph/article, then Twitter card, then the
    platform's URL pattern (of the canonical URL, else ``url``)."""
    markup = _Markup()
    markup.feed(html)
    markup.close()
    meta = markup.meta
    found: dict[str, str] = {}
    post = _json_ld_post(markup.json_ld)
    canonical = urljoin(url, markup.canonical or meta.get("og:url") or url)
    platform = platform_post(canonical) or platform_post(url)
    facts: dict[str, str | None] = {}
    by_fact: dict[str, list[tuple[str, str | None]]] = {
        "title": [
            ("json-ld headline", _text(post.get("headline"))),
            ("og:title", meta.get("og:title")),
            ("twitter:title", meta.get("twitter:title")),
            ("<title>", markup.title),
        ],
        "description": [
            ("og:description", meta.get("og:description")),
            ("json-ld description", _text(post.get("description"))),
            ("description", meta.get("description")),
        ],
        "author": [
            ("json-ld author", _author(post.get("author"))),
            ("article:author", meta.get("article:author")),
            ("twitter:creator", meta.get("twitter:creator")),
            ("url", platform.get("author") if platform else None),
        ],
        "posted_at": [
            ("json-ld datePublished", _text(post.get("datePublished") or post.get("uploadDate"))),
            ("article:published_time", meta.get("article:published_time")),
        ],
        "post_id": [
            ("json-ld identifier", _text(post.get("identifier"))),
            ("url", platform.get("post") if platform else None),
        ],
    }
    for name, candidates in by_fact.items():
        facts[name] = _first(name, candidates, found)
    return PageFacts(
        title=facts["title"],
        description=facts["description"],
        canonical_url=canonical if canonical != url else None,
        platform=platform["platform"] if platform else None,
        post_id=facts["post_id"],
        author=facts["author"],
        posted_at=facts["posted_at"],
        media_urls=_media_urls(meta, post, url),
        found_in=found,
    )


def platform_post(url: str) -> dict[str, str] | None:
    """Platform, post id and author handle that a post URL carries (YouTube's ``watch?v=``
    too), or None for a URL of no known platform pattern."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("mobile.")
    if re.search(r"(^|\.)youtube\.com$", host) and parts.path == "/watch":
        video = parse_qs(parts.query).get("v", [None])[0]
        return {"platform": "youtube", "post": video} if video else None
    for platform, host_pattern, path_pattern in PLATFORM_URLS:
        if re.search(host_pattern, host) and (match := re.match(path_pattern, parts.path)):
            return {"platform": platform, **{k: v for k, v in match.groupdict().items() if v}}
    return None


def _first(
    name: str, candidates: list[tuple[str, str | None]], found: dict[str, str]
) -> str | None:
    for where, value in candidates:
        if value:
            found[name] = where
            return value
    return None


def _json_ld_post(blocks: list[str]) -> dict[str, Any]:
    """The first JSON-LD object of a post type (in a list or an ``@graph`` too); ``{}``
    when none (a block that is not JSON is skipped: pages carry broken ones)."""
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kinds = node.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if POST_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                    return node
                stack.extend(node.get("@graph", []))
    return {}


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value") or value.get("@id")
    return str(value).strip() or None if isinstance(value, (str, int)) else None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("alternateName") or value.get("name") or value.get("url"))
    return _text(value)


def _media_urls(meta: dict[str, str], post: dict[str, Any], base: str) -> list[str]:
    """Absolute URLs of the images and videos the markup names, in order, once each."""
    named = [
        meta.get(k)
        for k in ("og:image", "og:image:url", "og:video", "og:video:url", "twitter:image")
    ]
    for key in ("image", "contentUrl", "thumbnailUrl"):
        value = post.get(key)
        items = value if isinstance(value, list) else [value]
        named.extend(i.get("url") if isinstance(i, dict) else i for i in items)
    urls = [urljoin(base, u) for u in named if isinstance(u, str) and u.strip()]
    return list(dict.fromkeys(u for u in urls if urlsplit(u).scheme in ("http", "https")))
