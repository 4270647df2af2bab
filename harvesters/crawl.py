"""Catalogs published one item per page: the list page (and its next pages) gives the item links, on the
same site only; each item page is fetched with a conditional GET, a few at a time, within a bounded count.

Which links are items is read from the list itself: they are the largest group of links that share one
address pattern (digits aside) and carry a title, e.g. /jc_wgs/126/136/content_2970.html, leaving out a
column's own index pages. A source may name the pattern instead (option `item_links`, a regular
expression). Pagination links are those labelled 下一页 / 下页 / next or with a page number.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from urllib.parse import urldefrag, urljoin, urlsplit

from ckanext_gkcatalog.problems import Location, Problem

from .fetch import FetchError, FetchLimits, Fetched, fetch
from .html_tables import decode_html

MAX_ITEMS = 500  # item pages read per source, unless its options say otherwise
MAX_LIST_PAGES = 20
CONCURRENCY = 2  # item pages fetched at once from one county site: polite to small servers
_NEXT = re.compile(r"^(下一页|下页|后页|next|›|»|>|>>)$", re.I)
_PAGE_NUMBER = re.compile(r"^\[?\d{1,3}\]?$")
_NOT_PAGES = re.compile(r"\.(pdf|docx?|xlsx?|et|wps|zip|rar|jpe?g|png|gif|mp4)$", re.I)
_COLUMN_PAGE = re.compile(r"/(index|default|list)[^/]*$|/$", re.I)  # a column's own pages, not its items
MIN_TITLE = 4  # characters of an item link's text: 首页, 上一页 and the site's menu are shorter


@dataclass
class CrawlOptions:
    max_items: int = MAX_ITEMS
    max_list_pages: int = MAX_LIST_PAGES
    concurrency: int = CONCURRENCY
    item_links: str | None = None  # a regular expression an item page's address matches

    @classmethod
    def of(cls, options: dict) -> "CrawlOptions":
        """A source's options (typed in a CKAN harvest configuration too: numbers may come as text)."""
        found = cls(item_links=options.get("item_links") or None)
        for name, most in (("max_items", 100_000), ("max_list_pages", 1_000), ("concurrency", 8)):
            value = str(options.get(name, "")).strip()
            if value.isdigit() and int(value) > 0:
                setattr(found, name, min(int(value), most))
        return found


@dataclass
class Crawl:
    list_pages: int  # list pages read
    links: list  # item page addresses, in list order, without repeats
    problems: list = field(default_factory=list)


def gather_item_links(url: str, limits: FetchLimits, session, options: CrawlOptions) -> Crawl:
    """Read the list page and its next pages into item links. A list page that cannot be fetched fails
    the source (FetchError) when it is the first; a later one is a finding, and the links so far stand."""
    crawl, queue, visited, pattern = Crawl(0, []), [url], set(), None
    while queue and crawl.list_pages < options.max_list_pages:
        page_url = queue.pop(0)
        if page_url in visited:
            continue
        visited.add(page_url)
        try:
            page = fetch(page_url, limits, session=session)
        except FetchError as exc:
            if not crawl.list_pages:
                raise
            crawl.problems.append(exc.problem)
            continue
        crawl.list_pages += 1
        anchors = _anchors(page, url)
        if pattern is None:
            pattern = re.compile(options.item_links) if options.item_links else _item_pattern(anchors)
        for href, text in anchors:
            if _NEXT.match(text) or _PAGE_NUMBER.match(text):
                if href not in visited:
                    queue.append(href)
            elif pattern is not None and pattern.search(href) and href not in crawl.links:
                crawl.links.append(href)
    if len(crawl.links) > options.max_items:
        crawl.problems.append(Problem("item_pages_truncated", Location(file=url),
                                      {"found": len(crawl.links), "limit": options.max_items}))
        del crawl.links[options.max_items:]
    return crawl


def _anchors(page: Fetched, site: str) -> list[tuple[str, str]]:
    """(absolute address, text) of the page's links to pages of the same site."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(decode_html(page.data, page.url))
    except Exception:
        return []
    base = root.xpath("//base/@href")
    base_url = urljoin(page.url, base[0]) if base else page.url
    host = urlsplit(site).hostname
    found = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        absolute = urldefrag(urljoin(base_url, href))[0]
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.hostname != host or _NOT_PAGES.search(parts.path):
            continue
        text = re.sub(r"\s+", "", anchor.text_content() or anchor.get("title") or "")
        found.append((absolute, text))
    return found


def _shape(url: str) -> str:
    """An address with its numbers folded: the pattern a list's item links share."""
    parts = urlsplit(url)
    query = "&".join(sorted(p.split("=")[0] for p in parts.query.split("&") if p))
    return re.sub(r"\d+", "0", parts.path) + ("?" + query if query else "")


def _item_pattern(anchors: list) -> re.Pattern | None:
    """The address pattern of the largest group of titled links (not pagination, not the menu)."""
    groups: dict = defaultdict(set)
    for href, text in anchors:
        if len(text) >= MIN_TITLE and not _NEXT.match(text) and not _COLUMN_PAGE.search(urlsplit(href).path):
            groups[_shape(href)].add(href)
    if not groups:
        return None
    shape = max(groups, key=lambda s: (len(groups[s]), s))
    if len(groups[shape]) == 1 and "0" not in shape:  # a lone link without an id is the menu, not a list
        return None
    path, _, query = shape.partition("?")
    return re.compile(r"^https?://[^/]+" + re.escape(path).replace("0", r"\d+") + (r"\?" if query else "$"))


@dataclass
class ItemPages:
    changed: list  # Fetched pages to parse
    kept: list  # addresses whose items stay as they are: unchanged, or failed this time
    state: dict  # {address: {"etag", "last_modified", "hash"}} to save for the next harvest
    problems: list = field(default_factory=list)


def fetch_item_pages(links: list, previous: dict, limits: FetchLimits, session_for, options: CrawlOptions) -> ItemPages:
    """Each item page with a conditional GET against what the last harvest saw; an unchanged page (304,
    or the same bytes) is not parsed. `session_for()` gives the calling thread's HTTP session."""
    result = ItemPages([], [], {})

    def one(link):
        before = previous.get(link) or {}
        try:
            return link, fetch(link, limits, etag=before.get("etag"), last_modified=before.get("last_modified"),
                               session=session_for()), None
        except FetchError as exc:
            return link, None, exc.problem

    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        for link, page, problem in pool.map(one, links):
            before = previous.get(link) or {}
            if problem is not None:  # this page's items stay as the last harvest read them
                result.problems.append(problem)
                result.kept.append(link)
                if before:
                    result.state[link] = before
                continue
            digest = before.get("hash") if page.not_modified else hashlib.sha256(page.data).hexdigest()
            result.state[link] = {"etag": page.etag or before.get("etag"),
                                  "last_modified": page.last_modified or before.get("last_modified"), "hash": digest}
            if page.not_modified or digest == before.get("hash"):
                result.kept.append(link)
            else:  # named by its link: the address its items and findings keep, whatever it redirected to
                result.changed.append(replace(page, url=link))
    return result
