"""Every kind of bad input gets a `path:line: what is wrong; what to write` message.

And a run with errors reports all of them at once and writes nothing.
"""

from __future__ import annotations

import pytest
from conftest import BASIC_CONFIG, NOW, Site

from feeds import build


def messages(site: Site, **options: object) -> list[str]:
    result = build(site.config, now=NOW, **options)  # type: ignore[arg-type]
    return [p.format(relative_to=site.root) for p in result.problems]


def single_error(site: Site) -> str:
    found = [m for m in messages(site) if "warning:" not in m]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: x\n", "posts/p.md:1: no front matter; start the file with a line '---'"),
        (
            "---\ntitle: x\ndate: 2024-01-01\n",
            "posts/p.md:1: the front matter has no closing '---'",
        ),
        ("---\ntitle: x\ndate: [2024\n---\n", "posts/p.md:3: YAML syntax error: the list opened"),
        ("---\ntitle: x\n  bad: indent\n---\n", "posts/p.md:3: YAML syntax error"),
        ("---\n- a\n- b\n---\n", "posts/p.md:2: expected 'key: value' lines"),
        (
            "---\ndate: 2024-01-01\n---\n",
            "posts/p.md:1: 'title' is missing; add a line 'title: ...'",
        ),
        ("---\ntitle: x\n---\n", "posts/p.md:1: 'date' is missing"),
        ("---\ntitle: [a, b]\ndate: 2024-01-01\n---\n", "posts/p.md:2: 'title' must be text"),
        ("---\ntitle:\ndate: 2024-01-01\n---\n", "posts/p.md:2: 'title' is empty"),
        (
            "---\ntitle: x\ndate: May 2024\n---\n",
            "posts/p.md:3: 'date': 'May 2024' does not name the day",
        ),
        (
            "---\ntitle: x\ndate: 2024-02-30\n---\n",
            "posts/p.md:3: 'date': '2024-02-30' is not a date",
        ),
        (
            "---\ntitle: x\ndate: 2024-05-01 10:00 CEST\n---\n",
            "posts/p.md:3: 'date': the time zone name 'CEST' is ambiguous",
        ),
        (
            "---\ntitle: x\ndate: 1850-01-01\n---\n",
            "posts/p.md:3: 'date': the year 1850 is outside",
        ),
        (
            "---\ntitle: x\ndate: 2024-05-02\nupdated: 2024-05-01\n---\n",
            "posts/p.md:4: 'updated' is before 'date'",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\ndraft: maybe\n---\n",
            "posts/p.md:4: 'draft' must be true or false",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\nslug: My Post\n---\n",
            "posts/p.md:4: 'slug' must be lower-case letters, digits and hyphens; "
            "write slug: my-post",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\nid: not a uri\n---\n",
            "posts/p.md:4: 'id' must be a URI",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\nlink: ftp://x.org/a\n---\n",
            "posts/p.md:4: 'link' must be an absolute http(s) URL",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\ncategories: ['!!!']\n---\n",
            "posts/p.md:4: category '!!!' has no letters or digits",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\nauthor: {nom: x}\n---\n",
            "posts/p.md:4: 'author' has unknown key 'nom'",
        ),
        (
            "---\ntitle: x\ndate: 2024-01-01\nlanguage: French\n---\n",
            "posts/p.md:4: 'language' must be a language tag like en or en-GB, not 'French'",
        ),
        (
            "---\ntitle: !!python/object/apply:os.system [echo hi]\ndate: 2024-01-01\n---\n",
            "posts/p.md:2: the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
            "is not allowed",
        ),
    ],
)
def test_each_bad_front_matter_has_a_located_message(site: Site, text: str, expected: str) -> None:
    site.raw_post("p.md", text)
    assert single_error(site).startswith(expected)


def test_a_key_given_twice_is_a_warning_naming_both_lines(site: Site) -> None:
    """YAML loaders, Jekyll and Hugo read the last value; so does feeds, and says so."""
    site.raw_post("p.md", "---\ntitle: a\ntitle: b\ndate: 2024-01-01\n---\n")
    assert messages(site) == [
        "posts/p.md:3: warning: 'title' is given twice, on lines 2 and 3; the one on line 3 "
        "is used; delete the other"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "2024-05-01 10:00 CEST",
            "the time zone name 'CEST' is ambiguous; write a numeric offset like +02:00 instead",
        ),
        (
            "2024-05-01 10:00 UTC+3",
            "'2024-05-01 10:00 UTC+3' is ambiguous; write the offset alone, like +03:00",
        ),
        (
            "someday",
            "'someday' is not a date (Unknown string format); write a date like "
            "2024-05-01 or 2024-05-01T09:30:00+02:00",
        ),
    ],
)
def test_a_date_error_gives_its_advice_once(site: Site, written: str, message: str) -> None:
    site.post("p", date=written)
    assert messages(site) == [f"posts/p.md:3: 'date': {message}"]


def test_a_posts_problems_come_in_the_order_of_its_lines(site: Site) -> None:
    """The YAML reader finds the key given twice before the keys are checked."""
    site.raw_post("p.md", "---\ncolour: red\ntitle: a\ndate: 2024-01-01\ntitle: b\n---\n")
    assert [line.split(":")[1] for line in messages(site)] == ["2", "5"]


def test_not_utf8_names_the_line(site: Site) -> None:
    site.raw_post("p.md", b"---\ntitle: caf\xe9\ndate: 2024-01-01\n---\n")
    assert single_error(site) == "posts/p.md:2: this is not UTF-8 text; save the file as UTF-8"


def test_unknown_category_when_categories_are_configured(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "categories:\n  news: {title: News}\n  reviews: Reviews\n")
    site.post("p", categories="[nwes]")
    assert single_error(site).startswith(
        "posts/p.md:4: unknown category 'nwes' (did you mean 'news'?); use one of news, reviews"
    )


def test_unknown_key_is_a_warning_with_a_suggestion(site: Site) -> None:
    site.post("p", catgories="[news]")
    result = build(site.config, now=NOW)
    assert not result.has_errors
    assert [p.format(relative_to=site.root) for p in result.problems] == [
        "posts/p.md:4: warning: unknown key 'catgories' is ignored (did you mean 'categories'?)"
    ]
    assert result.published


def test_duplicate_slugs_and_ids_are_reported_on_every_file(site: Site) -> None:
    site.post("a/same")
    site.post("b/same")
    site.post("c", id="tag:example.org,2024:x")
    site.post("d", id="tag:example.org,2024:x")
    found = messages(site)
    assert "posts/a/same.md:1: slug 'same' is also used by" in found[0]
    assert any(m.startswith("posts/b/same.md:1: slug 'same'") for m in found)
    assert sum("id 'tag:example.org,2024:x' is also used by" in m for m in found) == 2


def test_all_problems_of_a_run_are_reported_at_once_and_nothing_is_written(site: Site) -> None:
    site.post("good")
    site.raw_post("bad1.md", "---\ntitle: x\n---\n")
    site.raw_post("bad2.md", "---\ntitle: x\ndate: someday\ndraft: perhaps\n---\n")
    found = messages(site)
    assert len(found) == 3
    assert [m.split(":")[0] for m in found] == ["posts/bad1.md", "posts/bad2.md", "posts/bad2.md"]
    assert site.files() == {}


def test_skip_invalid_publishes_the_valid_posts_and_still_reports(site: Site) -> None:
    site.post("good")
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    result = build(site.config, now=NOW, skip_invalid=True)
    assert result.has_errors
    assert result.published
    assert b"Good" in site.files()["atom.xml"]


def test_front_matter_offset_is_included_in_body_relative_lines(site: Site) -> None:
    """Lines count from the top of the file, not from the start of the YAML."""
    site.raw_post("p.md", "---\n# comment\n\ntitle: x\ndate: nope\n---\n")
    assert single_error(site).startswith("posts/p.md:5: 'date'")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("title: T\ndescription: D\n", "site.yaml:1: 'url' is required"),
        ("title: T\nurl: example.org\ndescription: D\n", "site.yaml:2: 'url' must be an absolute"),
        (
            BASIC_CONFIG + "max_item: 5\n",
            "site.yaml:4: unknown setting 'max_item' (did you mean 'max_items'?)",
        ),
        (BASIC_CONFIG + "max_items: lots\n", "site.yaml:4: 'max_items' must be a whole number"),
        (BASIC_CONFIG + "max_items: 0\n", "site.yaml:4: 'max_items' must be a whole number"),
        (
            BASIC_CONFIG + "timezone: Mars/Olympus\n",
            "site.yaml:4: unknown time zone 'Mars/Olympus'",
        ),
        (
            BASIC_CONFIG + "permalink: /{yaer}/{slug}/\n",
            "site.yaml:4: 'permalink' has unknown token {yaer}",
        ),
        (BASIC_CONFIG + "permalink: /{year}/\n", "site.yaml:4: 'permalink' must contain {slug}"),
        (BASIC_CONFIG + "language: English!\n", "site.yaml:4: 'language' must be a language tag"),
        (
            BASIC_CONFIG + "id_authority: http://x/\n",
            "site.yaml:4: 'id_authority' must be a domain",
        ),
        (BASIC_CONFIG + "categories: [a, b]\n", "site.yaml:4: 'categories' must map category"),
        (
            BASIC_CONFIG + "categories:\n  Big News: {}\n",
            "site.yaml:4: category key 'Big News' is not a slug; write 'big-news'",
        ),
        (
            BASIC_CONFIG + "summary_only: sometimes\n",
            "site.yaml:4: 'summary_only' must be true or false",
        ),
        (
            BASIC_CONFIG + "site_variables: [repository]\n",
            "site.yaml:4: 'site_variables' must map the names posts use to their values",
        ),
        ("title: [\n", "site.yaml:1: YAML syntax error"),
    ],
)
def test_each_bad_setting_has_a_located_message(site: Site, config: str, expected: str) -> None:
    site.write_config(config)
    found = messages(site)
    assert found and found[0].startswith(expected), found


def test_missing_posts_folder_is_reported(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "posts: nowhere\n")
    assert single_error(site).startswith("nowhere: the posts folder does not exist")
