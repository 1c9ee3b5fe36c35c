"""Generators' posts read as they are: the fixture sites in tests/sites, one per
convention, and the rules of issue 6 that need no whole site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, HERE, NOW, Site, check_all, feed_files

from feeds import Severity, build
from feeds.config import load_config
from feeds.plan.streams import next_change
from feeds.source.reading import read_posts
from feeds.source.templates import strip_templates

SITES = HERE / "sites"


def fixture_site(name: str, tmp_path: Path) -> Path:
    """A copy of tests/sites/<name>; its site.yaml writes feeds to public/."""
    root = tmp_path / name
    shutil.copytree(SITES / name, root)
    return root / "site.yaml"


def messages(result, root: Path, severity: Severity) -> list[str]:
    return [p.format(relative_to=root) for p in result.problems if p.severity is severity]


def parsed_site(config: Path, now: datetime = NOW) -> dict:
    result = build(config, now=now, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    return check_all(feed_files(config.parent / "public"))


def entries_by_title(feeds: dict, name: str = "atom.xml") -> dict:
    return {entry.title: entry for entry in feeds[name].entries}


# --- Jekyll -----------------------------------------------------------------------------


def test_jekyll_site(tmp_path: Path) -> None:
    config = fixture_site("jekyll", tmp_path)
    result = build(config, now=NOW, use_cache=False)
    root = config.parent
    assert messages(result, root, Severity.ERROR) == []
    assert messages(result, root, Severity.NOTE) == [
        "_posts/README.md: note: skipped: no front matter"
    ]
    warnings = messages(result, root, Severity.WARNING)
    assert warnings[0] == (
        "_posts/2014-03-01-mismatch.md:3: warning: 'date' says 2014-03-05, the file name "
        "2014-03-01; the key wins. Rename the file or correct the date"
    )
    assert [w.split(": warning: ")[0] for w in warnings[1:]] == [
        "_posts/2016-01-02-an-html-post.html:5",
        "_posts/2016-10-06-welcome.md:10",  # {{ site.title }}; {{ site.baseurl }} is silent
        "_posts/2016-10-06-welcome.md:18",  # {% include %}
    ]
    assert "template tag {% include note.html %} was left out of the feed" in warnings[3]
    feeds = check_all(feed_files(root / "public"))
    entries = entries_by_title(feeds)
    assert "Not yet" not in entries  # published: false

    welcome = entries["Welcome to the fixture"]
    # id_scheme: link reproduces jekyll-feed's ids: the post URL; the slug drops the date
    assert welcome.id == welcome.link == "https://example.org/blog/2016/10/06/welcome.html"
    assert welcome.published == "2016-10-06T11:10:38-07:00"  # offset without a colon
    assert [t.term for t in welcome.tags] == ["jekyll", "update", "intro", "meta"]  # split
    assert welcome.author_detail == {"name": "Jo Doe", "email": "jo@example.org"}  # handle
    assert welcome.summary == "Hello from ."  # before <!-- more -->, Liquid gone
    content = welcome.content[0].value
    assert 'src="https://example.org/blog/img/logo.png"' in content  # baseurl, then url
    assert 'href="https://example.org/blog/2016/10/06/notes.html"' in content  # page-relative
    assert 'href="https://example.org/blog/index.html"' in content  # root-relative
    assert '<pre><code class="language-ruby">def greet = puts "{{ kept }}"' in content  # highlight
    assert "<code>{{ page.title }}</code> to show the title: {{ page.title }}." in content
    assert "include" not in content

    dated = entries["A date from the file name"]
    assert dated.published == "2012-01-05T00:00:00+00:00"  # 2012-1-5: padding optional
    assert dated.updated == "2012-01-05T19:34:00+00:00"  # last_modified_at, no seconds
    assert dated.author == "Ann Smith, editor"  # one author, link stripped
    assert dated.summary == "The words after the heading make the excerpt."
    assert entries["Again about phones"].summary == "The excerpt wins over the description."

    html = entries["An HTML post"].content[0].value
    assert html == "<p>Already HTML,\n    indented, and  free.</p>"  # not a code block

    # iOS, i-OS and ios: one feed, titled by the most common spelling (a tie: first)
    assert sorted(name.split("/")[1] for name in feeds if "/" in name) == (
        ["ios"] * 3 + ["jekyll"] * 3 + ["update"] * 3  # Atom, RSS, JSON Feed each
    )
    ios = feeds["categories/ios/atom.xml"]
    assert ios.feed.title == "Jekyll Fixture: i-OS"
    assert len(ios.entries) == 3


def test_jekyll_strings_are_one_term_under_other_conventions(site: Site) -> None:
    site.post("p", categories="jekyll update", tags="a b")
    feeds = parsed_site(site.config)
    assert [t.term for t in feeds["atom.xml"].entries[0].tags] == ["jekyll-update", "a b"]


# --- Hugo -------------------------------------------------------------------------------


def test_hugo_site(tmp_path: Path) -> None:
    config = fixture_site("hugo", tmp_path)
    result = build(config, now=NOW, use_cache=False)
    root = config.parent
    assert messages(result, root, Severity.NOTE) == [
        "content/posts/_index.md: note: skipped: a name starting with '_' marks drafts, "
        "section pages and a generator's own files; rename it to publish it"
    ]
    assert messages(result, root, Severity.WARNING) == []  # {{< figure >}} renders as Hugo's
    feeds = check_all(feed_files(root / "public"))
    entries = entries_by_title(feeds)
    assert sorted(entries) == ["A page bundle", "First in TOML"]  # no draft, no expired post

    first = entries["First in TOML"]
    assert first.id == "https://example.org/posts/first/"  # Hugo's RSS guid: the permalink
    assert first.published == "2024-02-01T10:00:00+01:00"  # TOML datetime
    assert first.updated == "2024-02-03T09:00:00+01:00"  # lastmod
    assert first.summary == "The part before the marker."
    content = first.content[0].value
    assert '<pre><code class="language-go">fmt.Println("{{ kept }}")' in content
    assert "{{&lt; shortcode kept in code &gt;}}" in content
    assert '<img alt="A figure" src="https://example.org/img/a.png" />' in content
    assert "<figcaption><p>A figure</p></figcaption>" in content
    assert feeds["categories/go/atom.xml"].feed.title == "Hugo Fixture: Go"

    bundle = entries["A page bundle"]
    assert bundle.link == "https://example.org/posts/bundle/"  # the folder names the slug
    assert bundle.published == "2025-12-01T00:00:00+00:00"  # PublishDate: keys ignore case
    assert bundle.author == "Hugo Writer"
    assert 'src="https://example.org/posts/bundle/cat.jpg"' in bundle.content[0].value


def test_hugo_expiry_removes_a_post_even_on_a_cached_no_change_run(tmp_path: Path) -> None:
    config = fixture_site("hugo", tmp_path)
    assert build(config, now=NOW).published
    config_obj, _ = load_config(config)
    assert config_obj is not None
    posts = read_posts(config_obj).posts
    assert next_change(posts, NOW) == int(datetime(2026, 6, 1, tzinfo=UTC).timestamp() * 1e6)
    later = datetime(2026, 6, 1, tzinfo=UTC)
    assert build(config, now=later).published  # the cache must not replay the last run
    titles = [e.title for e in check_all(feed_files(config.parent / "public"))["atom.xml"].entries]
    assert titles == ["First in TOML"]


# --- Zola -------------------------------------------------------------------------------


def test_zola_site(tmp_path: Path) -> None:
    config = fixture_site("zola", tmp_path)
    feeds = parsed_site(config)
    entries = entries_by_title(feeds)
    named = entries["Dated by its file name"]
    assert named.id == "tag:example.org,2024-03-01:first-post"  # 2024-03-01_ is not the slug
    assert named.published == "2024-03-01T00:00:00+00:00"
    assert named.updated == "2024-03-05T00:00:00+00:00"  # [extra] updated
    assert named.summary == "The description is the summary."
    assert [author.name for author in named.authors] == ["Ann", "Bo"]  # authors list
    assert [t.term for t in named.tags] == ["rust", "zola"]  # [taxonomies]
    assert 'href="https://example.org/blog/other/"' in named.content[0].value
    by_path = entries["Dated by its path"]
    assert by_path.published == "2024-04-02T00:00:00+00:00"
    assert by_path.link == "https://example.org/2024/04/02/by-path/"  # Zola's path
    assert len(feeds["categories/rust/atom.xml"].entries) == 2  # Rust, rust: one feed


# --- Eleventy ---------------------------------------------------------------------------


def test_eleventy_site(tmp_path: Path) -> None:
    config = fixture_site("eleventy", tmp_path)
    result = build(config, now=NOW, use_cache=False)
    root = config.parent
    assert [n.split(":")[0] for n in messages(result, root, Severity.NOTE)] == ["posts/_drafts"]
    assert messages(result, root, Severity.WARNING) == [
        'posts/2024-05-01-hello.md:11: warning: template tag {% image "cat.png", "a cat" %} '
        "was left out of the feed: only the site's generator can run it; write its output as "
        "Markdown or HTML, or put it in `code` to show it"
    ]
    feeds = check_all(feed_files(root / "public"))
    entries = entries_by_title(feeds)
    hello = entries["Hello Eleventy"]
    assert hello.link == "https://example.org/blog/hello-world/"  # its permalink
    assert hello.id == "tag:example.org,2024-05-01:hello"
    assert hello.summary == 'A Nunjucks shortcode, and {{ "code" | upcase }} kept.'
    web = feeds["categories/web-development/atom.xml"]
    assert [e.title for e in web.entries] == ["Second", "Hello Eleventy"]


# --- rules that need no whole site ------------------------------------------------------


def test_generator_keys_are_read_under_our_own_rules_too(site: Site) -> None:
    site.raw_post(
        "p.md",
        "---\ntitle: P\npublishDate: 2024-01-02\nlastmod: 2024-01-03\n"
        "excerpt: From excerpt.\nauthors: [Ann, Bo]\n---\nBody.\n",
    )
    result = build(site.config, now=NOW)
    assert messages(result, site.root, Severity.WARNING) == []
    entry = check_all(site.files())["atom.xml"].entries[0]
    assert entry.published.startswith("2024-01-02")
    assert entry.updated.startswith("2024-01-03")
    assert entry.summary == "From excerpt."
    assert [author.name for author in entry.authors] == ["Ann", "Bo"]


def test_page_keys_warn_only_without_conventions_and_typos_always(site: Site) -> None:
    site.post("p", layout="post", comments="true", catgories="[x]")
    result = build(site.config, now=NOW)
    assert len(messages(result, site.root, Severity.WARNING)) == 3
    site.write_config(BASIC_CONFIG + "conventions: jekyll\n")
    result = build(site.config, now=NOW)
    assert messages(result, site.root, Severity.WARNING) == [
        "posts/p.md:6: warning: unknown key 'catgories' is ignored (did you mean 'categories'?)"
    ]


def test_a_dated_file_name_keeps_its_date_in_the_slug_under_our_rules(site: Site) -> None:
    site.raw_post("2024-05-01-hello.md", "---\ntitle: Hi\n---\nBody.\n")
    entry = parsed_site(site.config)["atom.xml"].entries[0]
    assert entry.id == "tag:example.org,2024-05-01:2024-05-01-hello"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_toml_with_bom_crlf_and_trailing_spaces(site: Site, newline: str) -> None:
    text = '+++  \ntitle = "T"\ndate = 2024-05-01\ntags = ["a"]\n+++ \t\nBody.\n'
    site.raw_post("p.md", b"\xef\xbb\xbf" + text.replace("\n", newline).encode())
    entry = parsed_site(site.config)["atom.xml"].entries[0]
    assert (entry.title, entry.published, entry.summary) == (
        "T",
        "2024-05-01T00:00:00+00:00",
        "Body.",
    )


def test_toml_errors_name_the_line(site: Site) -> None:
    site.raw_post("p.md", '+++\ntitle = "T"\ndate = \n+++\n')
    result = build(site.config, now=NOW)
    assert [p.format(relative_to=site.root) for p in result.problems] == [
        "posts/p.md:3: TOML syntax error: Invalid value"
    ]


def test_files_without_front_matter(site: Site) -> None:
    site.raw_post("page.html", "<p>No front matter: not a post.</p>\n")
    site.raw_post("_index.md", "---\ntitle: Section\n---\n")
    site.post("p")
    result = build(site.config, now=NOW)
    assert not result.has_errors and result.posts == 1
    assert [n.split(":")[0] for n in messages(result, site.root, Severity.NOTE)] == [
        "posts/_index.md",
        "posts/page.html",
    ]
    site.raw_post("notes.md", "Just notes.\n")  # our own rule: a .md without it is an error
    assert build(site.config, now=NOW).has_errors
    site.write_config(BASIC_CONFIG + "conventions: hugo\n")
    assert not build(site.config, now=NOW).has_errors


def test_posts_glob_narrows_and_widens(site: Site) -> None:
    site.post("a")
    site.post("drafts/b")
    site.raw_post("c.txt", "---\ntitle: C\ndate: 2024-01-01\n---\n")
    site.write_config(BASIC_CONFIG + "posts_glob: ['*.md', '**/*.txt']\n")
    assert build(site.config, now=NOW).posts == 2  # a.md and c.txt
    site.write_config(BASIC_CONFIG + "posts_glob: '/etc/*'\n")
    assert "'posts_glob' must be patterns below" in build(site.config, now=NOW).problems[0].message


def test_posts_glob_character_classes(site: Site) -> None:
    for name in ("a", "b", "c", "notes/a"):
        site.post(name)
    site.write_config(BASIC_CONFIG + "posts_glob: ['[ab].md']\n")
    result = build(site.config, now=NOW)
    assert result.posts == 2 and not result.problems  # a.md and b.md, not notes/a.md


def test_drafts_by_draft_or_published(site: Site) -> None:
    site.post("a", draft="true")
    site.post("b", published="false")
    site.post("c", published="true")
    assert [e.title for e in parsed_site(site.config)["atom.xml"].entries] == ["C"]


def test_authors_table_and_several_authors(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "authors:\n  jo: {name: Jo Doe, email: jo@example.org}\n")
    site.post("a", author="jo")
    site.post("b", author="'Jo Doe, Editor'", date="2024-01-01")
    site.post("c", author="{name: Cy, url: 'https://cy.example'}", date="2023-01-01")
    entries = parsed_site(site.config)["atom.xml"].entries
    assert [e.author_detail for e in entries] == [
        {"name": "Jo Doe", "email": "jo@example.org"},
        {"name": "Jo Doe, Editor"},
        {"name": "Cy"},
    ]


def test_summary_order_and_leading_heading(site: Site) -> None:
    site.post("a", description="Desc.", date="2024-01-03")
    site.post("b", summary="Sum.", excerpt="Exc.", date="2024-01-02")
    site.post("c", body="## Heading\n\nFirst words.\n", date="2024-01-01")
    entries = parsed_site(site.config)["atom.xml"].entries
    assert [e.summary for e in entries] == ["Desc.", "Sum.", "First words."]


def test_id_scheme_link_is_the_post_url_and_an_explicit_id_still_wins(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "id_scheme: link\n")
    site.post("a")
    site.post("b", id="tag:example.org,2020:b", date="2024-01-01")
    assert [e.id for e in parsed_site(site.config)["atom.xml"].entries] == [
        "https://example.org/blog/a/",
        "tag:example.org,2020:b",
    ]


def test_root_relative_links_already_below_the_site_path_are_not_doubled(site: Site) -> None:
    site.post("a", body="[x](/blog/x/) [y](/y/) [z](//cdn.example/z)\n")
    html = parsed_site(site.config)["atom.xml"].entries[0].content[0].value
    assert 'href="https://example.org/blog/x/"' in html
    assert 'href="https://example.org/blog/y/"' in html
    assert 'href="https://cdn.example/z"' in html


def test_template_text_outside_code_only() -> None:
    body = (
        "a {{ x }} b\n"
        "\n"
        "    {{ indented code }}\n"
        "\n"
        "- item\n"
        "    {{ list text }}\n"
        "\n"
        "~~~\n{% fenced %}\n~~~\n"
        "{{< shortcode\n  spread=over >}} lines, `{%code%}` span\n"
        "{% comment %}gone {{ silently }}{% endcomment %}\n"
    )
    text, warnings = strip_templates(body, first_line=10)
    assert text == (
        "a  b\n\n    {{ indented code }}\n\n- item\n    \n\n~~~\n{% fenced %}\n~~~\n"
        " lines, `{%code%}` span\n\n"
    )
    assert [line for line, _ in warnings] == [10, 15, 20]


def test_skipped_files_are_listed_with_verbose(tmp_path: Path) -> None:
    config = fixture_site("eleventy", tmp_path)
    feeds = str(Path(sys.executable).parent / "feeds")
    quiet = subprocess.run([feeds, "build"], cwd=config.parent, capture_output=True, text=True)
    verbose = subprocess.run(
        [feeds, "build", "-v"], cwd=config.parent, capture_output=True, text=True
    )
    assert "_drafts" not in quiet.stderr
    assert "posts/_drafts: note: skipped" in verbose.stderr
    for command in (["build", "-v"], ["check", "-v"]):  # a no-change run replays notes too
        again = subprocess.run([feeds, *command], cwd=config.parent, capture_output=True, text=True)
        assert "posts/_drafts: note: skipped" in again.stderr
