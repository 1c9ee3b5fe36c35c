"""What a person sees who clicks a feed link: real headless Chromium over HTTP on 127.0.0.1.

The server answers like the nginx configuration in docs/deploy.md: browsers (their Accept
header asks for text/html) get XML feeds as application/xml, which Chromium
renders with the feed's CSS; feed readers get the feed media types. Screenshots
are kept in tests/artifacts/.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, check_all, feed_files

from feeds import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package")

FEED_TYPES = {"atom.xml": "application/atom+xml", "rss.xml": "application/rss+xml"}


class FeedServer(SimpleHTTPRequestHandler):
    """Serves the output folder the way docs/deploy.md tells a web server to."""

    negotiate = True

    def guess_type(self, path: str) -> str:
        name = path.rsplit("/", 1)[-1]
        if name in FEED_TYPES:
            if self.negotiate and "text/html" in self.headers.get("Accept", ""):
                return "application/xml"
            return FEED_TYPES[name]
        if name.endswith(".json"):
            return "application/feed+json"
        return super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("Vary", "Accept")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    out = tmp_path_factory.mktemp("public")
    result = build(REPO / "site.yaml", output_dir=out, use_cache=False)
    assert result.published and not result.has_errors
    check_all(feed_files(out))
    handler = functools.partial(FeedServer, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", out
    server.shutdown()


def chromium(tmp_path: Path, *arguments: str) -> None:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )


def visible_text(url: str, tmp_path: Path, name: str) -> str:
    """The text Chromium lays out (hidden elements are not printed), plus a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    chromium(
        tmp_path, f"--screenshot={ARTIFACTS / (name + '.png')}", "--window-size=1000,1400", url
    )
    pdf = tmp_path / f"{name}.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    assert pdf.exists(), "Chromium printed nothing"
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml", "categories/holidays/atom.xml"])
def test_a_feed_opened_in_the_browser_is_a_readable_page(
    served: tuple[str, Path], tmp_path: Path, feed: str
) -> None:
    base, _ = served
    text = visible_text(base + feed, tmp_path, feed.replace("/", "-"))
    assert "This is a web feed" in text
    assert "Feed address: https://www.llco.org/" + feed in " ".join(text.split())
    flat = " ".join(text.split())
    assert "Break Free in 2024" in flat and "International Workers’ Day 2023" in flat
    assert "<feed" not in text and "<rss" not in text and "tag:www.llco.org" not in text
    assert (ARTIFACTS / (feed.replace("/", "-") + ".png")).stat().st_size > 10_000


def test_the_index_page_shows_the_feeds_and_their_newest_entries(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = served
    flat = " ".join(visible_text(base + "index.html", tmp_path, "index").split())
    assert "Leading Light Communist Organization: Reviews" in flat
    assert "Review of Women at the Gates" in flat
    assert "https://www.llco.org/categories/news/atom.xml" in flat


def test_without_negotiation_chromium_shows_raw_xml(
    served: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why docs/deploy.md configures the server so: application/atom+xml is shown as
    source."""
    base, _ = served
    monkeypatch.setattr(FeedServer, "negotiate", False)
    text = visible_text(base + "atom.xml", tmp_path, "atom-as-atom-xml")
    assert "<feed" in text and "This is a web feed" not in text
