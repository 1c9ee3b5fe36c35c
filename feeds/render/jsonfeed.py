"""JSON Feed 1.1 as bytes: a dict dumped with a fixed key order, no library. Pure."""

from __future__ import annotations

import json
from typing import Any

from ..model import Entry, Feed, Media, Person

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def render_json(feed: Feed) -> bytes:
    """JSON Feed 1.1, with the same entries, ids and dates as the Atom feed."""
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.site_url,
        "feed_url": feed.self_url,
        "description": feed.description,
    }
    if feed.language:
        document["language"] = feed.language
    document["authors"] = [_json_author(feed.author)]
    if feed.hub:
        document["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    document["items"] = [_json_item(entry, feed.language) for entry in feed.entries]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(entry: Entry, language: str | None) -> dict[str, Any]:
    """The entry as a JSON Feed item; with its own `language` when it is not the feed's."""
    item: dict[str, Any] = {"id": entry.id, "url": entry.link, "title": entry.title}
    if entry.content_html:
        item["content_html"] = entry.content_html
    else:
        item["content_text"] = entry.summary
    if entry.summary:
        item["summary"] = entry.summary
    if (own_language := entry.own_language(language)) is not None:
        item["language"] = own_language
    if entry.image is not None:
        item["image"] = entry.image.url
    if entry.banner is not None:
        item["banner_image"] = entry.banner.url
    item["date_published"] = entry.published.isoformat()
    item["date_modified"] = entry.updated.isoformat()
    if entry.authors:
        item["authors"] = [_json_author(author) for author in entry.authors]
    tags = [category.name for category in entry.categories] + list(entry.tags)
    if tags:
        item["tags"] = list(dict.fromkeys(tags))
    if entry.attachments:
        item["attachments"] = [_json_attachment(media) for media in entry.attachments]
    return item


def _json_attachment(media: Media) -> dict[str, Any]:
    attachment: dict[str, Any] = {"url": media.url, "mime_type": media.type}
    if media.text:
        attachment["title"] = media.text
    attachment["size_in_bytes"] = media.length
    return attachment


def _json_author(person: Person) -> dict[str, str]:
    """JSON Feed authors have no email field; a mailto: URL carries it."""
    author = {"name": person.name}
    if person.email:
        author["url"] = f"mailto:{person.email}"
    return author
