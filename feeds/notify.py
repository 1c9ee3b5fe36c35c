"""WebSub (W3C Recommendation) publish notifications: tell the hub which feeds changed.

The only network code in feeds, and an edge of the pipeline like publishing:
called after the feeds are on disk, never before.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

TIMEOUT_S = 10.0


def notify(hub: str, feed_urls: Iterable[str], timeout: float = TIMEOUT_S) -> dict[str, str]:
    """POST `hub.mode=publish` for each feed URL; returns the failures, URL -> reason.

    One request per feed, as hubs commonly expect, so one feed's failure does
    not hide the others' success.
    """
    failures: dict[str, str] = {}
    for url in feed_urls:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = urllib.request.Request(
            hub,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "feeds (WebSub publisher)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if not 200 <= response.status < 300:
                    failures[url] = f"the hub answered {response.status}"
        except urllib.error.HTTPError as error:
            failures[url] = f"the hub answered {error.code} {error.reason}"
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            failures[url] = f"cannot reach the hub ({reason})"
    return failures
