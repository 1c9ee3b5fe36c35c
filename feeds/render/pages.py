"""What people and feed readers see besides the feeds: the HTML index, OPML, the stylesheet.

Pure: each page is made from the planned streams and their entries.

Browsers and feeds: the Chromium installed here (156) shows a feed served as
application/atom+xml or application/rss+xml as plain text, and XSLT now gets a
deprecation banner; served as application/xml it renders the XML with the CSS
named in an `xml-stylesheet` processing instruction. So every XML feed names
`feed.css`, and README's server configuration answers browsers (whose Accept
header asks for text/html) with application/xml and feed readers with the feed
types. Feed readers ignore the instruction.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from html import escape

from ..config import SiteConfig
from ..dates import rfc2822_date
from ..formats import INDEX_MARK, STYLESHEET, feed_file
from ..model import Entry
from ..plan.outputs import INDEX_ENTRIES, Listed


def stylesheet_href(feed_path: str) -> str:
    """The stylesheet's URL relative to a feed, so it also works on a copy of the site."""
    return posixpath.relpath(STYLESHEET, posixpath.dirname(feed_path) or ".")


def render_stylesheet() -> bytes:
    return FEED_CSS.encode("utf-8")


def render_opml(listed: Sequence[Listed], config: SiteConfig) -> bytes:
    """OPML 2.0: one outline per feed, so a reader can subscribe to all in one import."""
    newest = max(post.updated for item in listed for post in item.posts)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(config.title)}</title>",
        f"    <dateCreated>{rfc2822_date(newest)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for item in listed:
        preferred = item.formats[0]
        address = config.url + feed_file(item.stream.directory, preferred, config.feed_paths)
        lines.append(
            f'    <outline type="{preferred.opml_type}" text="{escape(item.stream.title)}" '
            f'title="{escape(item.stream.title)}" '
            f'xmlUrl="{escape(address)}" '
            f'htmlUrl="{escape(config.url)}"/>'
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


def render_index(
    listed: Sequence[Listed], entries: Mapping[str, Entry], config: SiteConfig
) -> bytes:
    """The site's feeds by category with their newest entries, and autodiscovery links."""
    head_links = [
        f'<link rel="alternate" type="{feed_format.media_type}" '
        f'title="{escape(item.stream.title)} ({feed_format.label})" '
        f'href="{escape(feed_file(item.stream.directory, feed_format, config.feed_paths))}">'
        for item in listed
        for feed_format in item.formats
    ]
    sections = []
    for item in listed:
        stream = item.stream
        files = [
            (feed_format, feed_file(stream.directory, feed_format, config.feed_paths))
            for feed_format in item.formats
        ]
        addresses = " ".join(
            f'<a href="{escape(file)}">{feed_format.label}</a> '
            f"<code>{escape(config.url + file)}</code>"
            for feed_format, file in files
        )
        shown = []
        for post in item.posts[:INDEX_ENTRIES]:
            entry = entries[post.id]
            shown.append(
                f'<li><a href="{escape(entry.link)}">{escape(entry.title)}</a> '
                f'<time datetime="{entry.published.isoformat()}">'
                f"{entry.published.date().isoformat()}</time>"
                + (f"<p>{escape(entry.summary)}</p>" if entry.summary else "")
                + "</li>"
            )
        sections.append(
            f'<section><h2>{escape(stream.title)}</h2><p class="feed">{addresses}</p>'
            f"<ul>{''.join(shown)}</ul></section>"
        )
    language = f' lang="{escape(config.language)}"' if config.language else ""
    page = (
        f'<!DOCTYPE html>\n<html{language}>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{INDEX_MARK.decode()}\n"
        f"<title>{escape(config.title)}: feeds</title>\n"
        + "\n".join(head_links)
        + f"\n<style>{INDEX_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(config.title)}</h1>\n<p>{escape(config.description)}</p>\n"
        "<p>These are the site's web feeds. To follow one, copy its address into your feed "
        "reader; it will show you every new post.</p>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


INDEX_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}code{background:#f3f3f3;padding:0 .2em;word-break:break-all}"
    "section{border-top:1px solid #ddd;margin-top:1.5rem}li{margin:.6rem 0}li p{margin:.2rem 0;"
    "color:#555}time{color:#777;margin-left:.5em}"
)

FEED_CSS = """\
@namespace atom url(http://www.w3.org/2005/Atom);
/* Browsers show a feed with this stylesheet; feed readers ignore it. Everything is
   hidden, then the parts a person wants are shown: what a feed is, its address,
   and each entry's title, date and summary. Works for Atom and RSS alike. */
* { display: none; }
feed, rss, channel, entry, item {
  display: block; font-family: system-ui, sans-serif; color: #222;
  max-width: 46rem; margin: 0 auto; line-height: 1.5;
}
feed, channel { padding: 1rem; }
feed::before, channel::before {
  display: block; margin: 0 0 1rem; padding: .8rem 1rem; background: #fff8dc;
  border: 1px solid #e6d9a8; border-radius: 6px;
  content: "This is a web feed. Copy the address of this page into your feed reader "
           "to follow it: every new post will reach you there.";
}
feed > title, channel > title { display: block; font-size: 2rem; font-weight: bold; }
feed > subtitle, channel > description { display: block; color: #555; }
feed > atom|link[rel="self"], channel > atom|link[rel="self"] {
  display: block; margin: .5rem 0 1.5rem; font-family: monospace; color: #333;
}
feed > atom|link[rel="self"]::before, channel > atom|link[rel="self"]::before {
  content: "Feed address: ";
}
feed > atom|link[rel="self"]::after, channel > atom|link[rel="self"]::after {
  content: attr(href);
}
entry, item { border-top: 1px solid #ddd; padding: .8rem 0; }
entry > title, item > title { display: block; font-size: 1.2rem; font-weight: bold; }
entry > published, item > pubDate { display: block; color: #777; font-size: .9rem; }
entry > summary, item > description { display: block; color: #444; }
"""
