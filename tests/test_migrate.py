"""`feeds init --from DIR`: a generator site's own configuration read into a site.yaml
that keeps its links, entry ids and feed addresses. The Jekyll and Hugo fixtures' links
and ids were recorded from the generators themselves (tests/test_links_*.py)."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
import test_links_eleventy
import test_links_hugo
import test_links_jekyll
import test_links_zola
from conftest import NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.cli import main
from feeds.migrate import MigrationError, read_site


def generator_site(tmp_path: Path, fixture: Path) -> Path:
    """A copy of a fixture as the generator has it: without feeds' site.yaml."""
    root = tmp_path / fixture.name
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("_site", "public", "feeds-out"))
    (root / "site.yaml").unlink()
    return root


def test_a_jekyll_site_keeps_jekyll_feeds_links_ids_and_address(tmp_path: Path) -> None:
    root = generator_site(tmp_path, test_links_jekyll.SITE)
    assert main(["init", "--from", str(root)]) == 0
    posts = posts_by_title(root / "site.yaml")
    for title, link, entry_id, published in test_links_jekyll.JEKYLL["date"]:
        if title == test_links_jekyll.UNQUOTED:
            continue  # Psych reads it as UTC (test_links_jekyll says why)
        post = posts[title]
        assert (post.link, post.id) == (
            test_links_jekyll.BLOG + link,
            test_links_jekyll.BLOG + entry_id,
        ), title
        if title != test_links_jekyll.UNQUOTED_SAME_DAY:  # the same difference, by hours
            assert post.published == datetime.fromisoformat(published)
    result = build(root / "site.yaml", now=NOW, use_cache=False, output_dir=tmp_path / "out")
    assert not result.problems
    files = feed_files(tmp_path / "out")
    assert {"feed.xml"} <= set(files) and "atom.xml" not in files  # jekyll-feed's address
    check_all(files)


def test_a_hugo_site_keeps_hugos_links_guids_and_address(tmp_path: Path) -> None:
    root = generator_site(tmp_path, test_links_hugo.SITE)
    assert main(["init", "--from", str(root)]) == 0
    settings = read_site(root).settings
    assert settings["max_items"] == 100  # [services.rss] limit
    posts = posts_by_title(root / "site.yaml")
    for title, link, published in test_links_hugo.HUGO[None, False]:
        post = posts[title.strip()]
        assert (post.link, post.id) == (test_links_hugo.BASE + link,) * 2, title
        assert post.published == parsedate_to_datetime(published)
    build(root / "site.yaml", now=NOW, use_cache=False, output_dir=tmp_path / "out")
    assert "index.xml" in feed_files(tmp_path / "out")


def config_site(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "site"
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_hugo_settings_as_hugo_reads_them(tmp_path: Path) -> None:
    root = config_site(
        tmp_path,
        "config.toml",
        """\
        BaseURL = "https://example.org/news/"
        Title = "News"
        languageCode = "de-AT"
        timeZone = "Europe/Vienna"
        uglyURLs = true
        rssLimit = -1
        staticDir = ["assets/", "more"]
        [params]
        mainSections = ["articles"]
        description = "What happened."
        [permalinks]
        articles = "/:year/:month/:title/"
        """,
    )
    settings = read_site(root).settings
    assert settings == {
        "conventions": "hugo",
        "title": "News",
        "url": "https://example.org/news/",
        "description": "What happened.",
        "language": "de-AT",
        "timezone": "Europe/Vienna",
        "posts": "content/articles",
        "output": "public",
        "static": "assets",  # the first of staticDir, where images are looked for
        "permalink": "/:year/:month/:title/",
        "ugly_urls": True,
        "id_scheme": "generator",
        "max_items": 100_000,  # Hugo's RSS holds every post: so many as feeds allows
        "formats": ["rss"],
        "tag_feeds": True,  # Hugo's default taxonomies: a feed per category and per tag
        "feed_paths": {
            "rss": "index.xml",
            "category_rss": "categories/{slug}/index.xml",
            "tag_rss": "tags/{slug}/index.xml",
        },
        "index_page": False,
    }


def test_hugo_finds_the_section_with_most_posts(tmp_path: Path) -> None:
    root = config_site(tmp_path, "config/_default/hugo.toml", 'baseURL = "https://e.org/"\n')
    for section, count in (("about", 1), ("blog", 3)):
        for number in range(count):
            page = root / "content" / section / f"p{number}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text("---\ntitle: x\n---\n")
    assert read_site(root).settings["posts"] == "content/blog"


def test_zola_is_told_from_hugo_by_its_base_url(tmp_path: Path) -> None:
    root = config_site(
        tmp_path,
        "config.toml",
        """\
        base_url = "https://lang.example/"
        title = "Lang blog"
        generate_feeds = true
        feed_filenames = ["rss.xml"]
        """,
    )
    migration = read_site(root)
    assert migration.generator == "zola"
    assert migration.settings["formats"] == ["rss"]
    assert migration.settings["feed_paths"]["rss"] == "rss.xml"


def test_a_zola_site_keeps_zolas_links_ids_and_address(tmp_path: Path) -> None:
    """Zola's site feed has every dated page of every section: `posts` is content/."""
    root = generator_site(tmp_path, test_links_zola.SITE)
    assert main(["init", "--from", str(root)]) == 0
    assert read_site(root).settings["posts"] == "content"
    posts = posts_by_title(root / "site.yaml")
    assert posts.pop("A draft").draft
    assert {title: post.id for title, post in posts.items()} == {
        title: test_links_zola.BASE + path for title, path in test_links_zola.ZOLA.items()
    }


def test_zola_feeds_taxonomies_and_slug_strategy(tmp_path: Path) -> None:
    """Every name of `feed_filenames`, tags' feeds when the taxonomy has `feed = true`,
    `[slugify] paths` as `permalink`; what feeds does not write is noted."""
    root = config_site(
        tmp_path,
        "zola.toml",
        """\
        base_url = "https://e.org/blog"
        generate_feeds = true
        feed_filenames = ["rss.xml", "atom.xml", "releases.json"]
        taxonomies = [{name = "tags", feed = true}, {name = "series", feed = true}]
        [slugify]
        paths = "safe"
        paths_keep_dates = true
        """,
    )
    (root / "templates").mkdir()
    (root / "templates" / "releases.json").write_text('{"items": []}')
    news = root / "content" / "news"
    news.mkdir(parents=True)
    (news / "_index.md").write_text('+++\ntitle = "News"\ngenerate_feeds = true\n+++\n')
    migration = read_site(root)
    settings = migration.settings
    assert (settings["url"], settings["posts"], settings["permalink"]) == (
        "https://e.org/blog",
        "content",
        "safe",
    )
    assert settings["description"] == settings["title"] == "site"  # neither is set
    assert settings["formats"] == ["rss", "atom"]
    assert settings["tag_feeds"] is True
    assert settings["feed_paths"] == {
        "rss": "rss.xml",
        "atom": "atom.xml",
        "category_rss": "categories/{slug}/rss.xml",
        "tag_rss": "tags/{slug}/rss.xml",
        "category_atom": "categories/{slug}/atom.xml",
        "tag_atom": "tags/{slug}/atom.xml",
    }
    noted = "\n".join(migration.notes)
    for said in ("releases.json", "section news", "paths_keep_dates", "'series'", "strasse"):
        assert said in noted, said
    assert main(["init", "--from", str(root)]) == 0
    assert posts_by_title(root / "site.yaml") == {}  # site.yaml is valid


def test_zola_0_17_and_a_section_feed(tmp_path: Path) -> None:
    """Zola before 0.19: `generate_feed`, `feed_filename`. Without the site's feed, the
    one section's feed is the site's."""
    root = config_site(
        tmp_path,
        "config.toml",
        """\
        base_url = "https://e.org"
        title = "Old"
        feed_filename = "rss.xml"
        """,
    )
    blog = root / "content" / "blog"
    blog.mkdir(parents=True)
    (blog / "_index.md").write_text("+++\ngenerate_feed = true\n+++\n")
    settings = read_site(root).settings
    assert (settings["posts"], settings["formats"]) == ("content/blog", ["rss"])
    assert settings["feed_paths"]["rss"] == "blog/rss.xml"
    (root / "config.toml").write_text('base_url = "https://e.org"\ngenerate_feed = true\n')
    settings = read_site(root).settings
    assert (settings["posts"], settings["feed_paths"]["atom"]) == ("content", "atom.xml")


def test_jekyll_without_a_time_zone_is_told_to_set_one(tmp_path: Path) -> None:
    root = config_site(tmp_path, "_config.yml", "url: https://e.org\ntitle: T\n")
    migration = read_site(root)
    assert migration.settings["url"] == "https://e.org/"
    assert migration.settings["max_items"] == 10  # jekyll-feed's posts_limit
    assert any("timezone" in note for note in migration.notes)


def test_eleventy_asks_for_the_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = config_site(tmp_path, "eleventy.config.js", "export default function () {}\n")
    assert main(["init", "--from", str(root)]) == 0
    assert "pass --url" in capsys.readouterr().err
    assert (
        main(["init", "--from", str(root), "--config", "other.yaml", "--url", "https://x.org"]) == 0
    )
    assert 'url: "https://x.org/"' in (root / "other.yaml").read_text()


def test_nothing_is_overwritten_and_nothing_guessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = config_site(tmp_path, "_config.yml", "url: https://e.org\n")
    (root / "site.yaml").write_text("mine\n")
    assert main(["init", "--from", str(root)]) == 1
    assert "site.yaml: exists already" in capsys.readouterr().err
    assert (root / "site.yaml").read_text() == "mine\n"

    with pytest.raises(MigrationError, match="no Jekyll, Hugo, Zola or Eleventy configuration"):
        read_site(tmp_path / "empty")
    broken = config_site(tmp_path / "b", "hugo.toml", "baseURL = [\n")
    assert main(["init", "--from", str(broken)]) == 1
    assert "hugo.toml: cannot read it" in capsys.readouterr().err


def test_a_permalink_other_than_the_generators_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generator_site(tmp_path, test_links_jekyll.SITE)
    assert main(["init", "--from", str(root)]) == 0
    config = root / "site.yaml"
    assert main(["check", "--config", str(config)]) == 0
    assert "warning" not in capsys.readouterr().err
    config.write_text(config.read_text().replace("permalink: date", "permalink: pretty"))
    assert main(["check", "--config", str(config)]) == 0
    assert (
        "warning: _config.yml gives the posts' permalink 'date', but site.yaml 'pretty': "
        "every link would differ from the site's pages; write permalink: 'date'"
    ) in capsys.readouterr().err


def test_jekyll_posts_collection_permalink_and_site_name(tmp_path: Path) -> None:
    """Jekyll's own docs site: its posts' permalink is the posts collection's, and its
    title is `name` (jekyll-feed: site.title, else site.name)."""
    root = config_site(
        tmp_path,
        "_config.yml",
        """\
        name: Jekyll • Simple, blog-aware, static sites
        url: https://jekyllrb.com
        permalink: /:categories/:year/:month/:day/:title.html
        collections:
          posts:
            permalink: /news/:year/:month/:day/:title/
        feed:
          categories: [release]
        """,
    )
    settings = read_site(root).settings
    assert (
        settings["title"] == settings["description"] == "Jekyll • Simple, blog-aware, static sites"
    )
    assert settings["permalink"] == "/news/:year/:month/:day/:title/"
    assert settings["feed_paths"] == {"atom": "feed.xml", "category_atom": "feed/{slug}.xml"}


def test_jekyll_site_variables_the_posts_show_are_copied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Values as _config.yml writes them (quotes, line breaks, lists, mappings) reach
    the feed as Jekyll 4.3 writes them; one _config.yml does not set is warned about."""
    root = config_site(
        tmp_path,
        "_config.yml",
        """\
        title: Jo's site
        url: https://example.org
        baseurl: /blog
        timezone: UTC
        repository: jekyll/jekyll
        unused: not copied
        owner:
          name: Jo "Q" Doe
          links: [a, {b: c}]
        description: >
          A folded
          description
        """,
    )
    post = root / "_posts" / "2024-01-02-hello.md"
    post.parent.mkdir()
    post.write_text(
        "---\ntitle: Hello\n---\n"
        "[repo](https://github.com/{{ site.repository }}) by {{ site.owner.name }}.\n"
        "{{ site.description }}({{ site.baseurl }}){{site.missing}}\n",
        encoding="utf-8",
    )
    assert main(["init", "--from", str(root)]) == 0
    assert read_site(root).settings["site_variables"] == {
        "description": "A folded description\n",
        "owner": {"name": 'Jo "Q" Doe', "links": ["a", {"b": "c"}]},
        "repository": "jekyll/jekyll",
    }
    capsys.readouterr()
    assert main(["build", "--config", str(root / "site.yaml"), "--no-cache"]) == 0
    assert capsys.readouterr().err == str(post) + (
        ":5: warning: template tag {{site.missing}} was left out "
        "of the feed: site.yaml's site_variables has no missing; add missing: <its value> "
        "there (feeds init --from copies those _config.yml sets), or remove the tag\n"
    )
    content = feedparser.parse(root / "_site" / "feed.xml").entries[0].content[0].value
    assert content == (
        '<p><a href="https://github.com/jekyll/jekyll">repo</a> by Jo "Q" Doe.\n'
        "A folded description\n(/blog)</p>"
    )


def test_eleventy_base_blog_settings_are_found_in_its_javascript(tmp_path: Path) -> None:
    root = config_site(
        tmp_path,
        "eleventy.config.js",
        """\
        export default async function (eleventyConfig) {
          eleventyConfig.addPlugin(feedPlugin, {
            type: "atom",
            outputPath: "/feed/feed.xml",
            collection: { name: "posts", limit: 10 },
          });
        }
        """,
    )
    (root / "_data").mkdir()
    (root / "_data" / "metadata.js").write_text(
        'export default {\n  title: "Blog Title",\n  url: "https://example.com/",\n'
        '  description: "I am writing about my experiences.",\n};\n'
    )
    (root / "content" / "blog").mkdir(parents=True)
    settings = read_site(root).settings
    assert {k: settings[k] for k in ("title", "url", "description", "posts", "max_items")} == {
        "title": "Blog Title",
        "url": "https://example.com/",
        "description": "I am writing about my experiences.",
        "posts": "content/blog",
        "max_items": 10,
    }
    assert settings["feed_paths"] == {"atom": "feed/feed.xml"}


@pytest.mark.parametrize(
    ("data_files", "found"),
    [
        ({"posts/posts.json": '{"permalink": "/blog/{{ page.fileSlug }}/"}'}, True),
        (
            {
                "posts/posts.json": '{"permalink": "/no/{{ page.fileSlug }}/"}',
                "posts/posts.11tydata.js": (
                    'export default {\n  permalink: "/blog/{{ page.fileSlug }}/",\n};\n'
                ),
            },
            True,
        ),
        ({"posts/posts.11tydata.js": "export default { permalink: (data) => x };\n"}, False),
    ],
)
def test_eleventy_posts_permalink_is_read_from_directory_data(
    tmp_path: Path, data_files: dict[str, str], found: bool
) -> None:
    """The posts folder's data file wins as in Eleventy's data cascade (.11tydata.js over
    .json); one JavaScript computes is not read."""
    root = generator_site(tmp_path, test_links_eleventy.SITE)
    for name, text in data_files.items():
        (root / name).write_text(text, encoding="utf-8")
    assert main(["init", "--from", str(root), "--url", test_links_eleventy.BASE + "/"]) == 0
    settings = read_site(root).settings
    assert settings.get("permalink") == ("/blog/{{ page.fileSlug }}/" if found else None)
    if found:
        posts = posts_by_title(root / "site.yaml")
        for title, published_id in test_links_eleventy.ELEVENTY["/blog/{{ page.fileSlug }}/"]:
            assert posts[title.strip()].id == test_links_eleventy.BASE + published_id


def test_hugo_permalinks_of_several_sections_are_kept_by_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generator_site(tmp_path, test_links_hugo.SECTIONS)
    assert main(["init", "--from", str(root)]) == 0
    text = (root / "site.yaml").read_text(encoding="utf-8")
    assert "posts: content\n" in text
    assert 'permalink:\n  posts: "/:year/:title/"\n  news: "/news/:slug/"\n' in text
    posts = posts_by_title(root / "site.yaml")
    assert {title: (p.link, p.id) for title, p in posts.items()} == {
        title: (test_links_hugo.BASE + link,) * 2
        for title, link in test_links_hugo.HUGO_SECTIONS.items()
    }
    capsys.readouterr()
    result = build(root / "site.yaml", now=NOW, use_cache=False, output_dir=tmp_path / "out")
    assert not result.problems  # nor a warning that the permalink differs from hugo.toml's


def test_hugo_main_sections_limit_the_sections_kept(tmp_path: Path) -> None:
    root = generator_site(tmp_path, test_links_hugo.SECTIONS)
    config = root / "hugo.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[permalinks]", '[params]\nmainSections = ["news"]\n[permalinks]')
    )
    settings = read_site(root).settings
    assert (settings["posts"], settings["permalink"]) == ("content/news", "/news/:slug/")
