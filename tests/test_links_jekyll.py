"""Links, ids and dates of a Jekyll site's posts, as Jekyll and jekyll-feed give them.

The expected values were recorded from Jekyll 4.3.1 with jekyll-feed 0.17.0 (Debian
12's `jekyll` and `ruby-jekyll-feed`) building tests/sites/jekyll-links once per
permalink below: `jekyll build` with its _config.yml plus `permalink: "<style>"`,
each entry's `<link href>`, `<id>` and `<published>` read from _site/feed.xml; the
site's URL, https://example.org/blog, is left off. Each test reads the same posts
with feeds, under the matching site.yaml, and compares every post. Jekyll is not
needed to run them.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import HERE, NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.config import load_config
from feeds.source.keys import psych_utc
from feeds.source.post import read_post

SITE = HERE / "sites" / "jekyll-links"
BLOG = "https://example.org/blog"
UNQUOTED = "An unquoted date"
"""YAML (Psych) reads `date: 2021-03-06 02:00:00`, unquoted and without an offset, as
UTC, where Jekyll reads the same text quoted in the site's time zone; feeds reads it
as Jekyll does under `conventions: jekyll` (see `keys.psych_utc`). Here the day in New
York differs, so the link too."""
UNQUOTED_SAME_DAY = "With a slug"
"""`date: 2021-03-04 23:30:00`: the same difference of time, on the same day in New
York, so only links showing the hour differ."""
QUOTED = "A quoted date"
"""`date: "2021-03-05 02:00:00"`: a string, which Jekyll reads in the site's time zone."""

EVERY_TOKEN = (
    "/:year/:i_month/:i_day/:short_year/:hour-:minute-:second/:slug/:slugified_categories"
    "/:title:output_ext"
)
# (title, link, id, published) per permalink, as jekyll-feed published them.
JEKYLL: dict[str, list[tuple[str, str, str, str]]] = {
    "date": [
        (
            "Full width",
            "/2024/05/01/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth.html",
            "/2024/05/01/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/2024/02/28/string-categories.html",
            "/jekyll/update/2024/02/28/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/2023/06/15/dots.in.name.html",
            "/single%20category/2023/06/15/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/01/01/categories.html",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/01/01/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/2021/03/07/date-only.html",
            "/2021/03/07/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/2021/03/05/unquoted-date.html",
            "/2021/03/05/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/2021/03/05/quoted-date.html",
            "/2021/03/05/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/2021/03/04/My-Custom-Slug.html",
            "/2021/03/04/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/2020/01/02/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!.html",
            "/2020/01/02/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/2016/08/24/across-midnight.html",
            "/2016/08/24/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/2014/08/08/CocoaPods-Caching.html",
            "/release/2014/08/08/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "pretty": [
        (
            "Full width",
            "/2024/05/01/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth/",
            "/2024/05/01/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/2024/02/28/string-categories/",
            "/jekyll/update/2024/02/28/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/2023/06/15/dots.in.name/",
            "/single%20category/2023/06/15/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/01/01/categories/",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/01/01/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/2021/03/07/date-only/",
            "/2021/03/07/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/2021/03/05/unquoted-date/",
            "/2021/03/05/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/2021/03/05/quoted-date/",
            "/2021/03/05/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/2021/03/04/My-Custom-Slug/",
            "/2021/03/04/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/2020/01/02/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!/",
            "/2020/01/02/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/2016/08/24/across-midnight/",
            "/2016/08/24/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/2014/08/08/CocoaPods-Caching/",
            "/release/2014/08/08/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "none": [
        (
            "Full width",
            "/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth.html",
            "/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/string-categories.html",
            "/jekyll/update/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/dots.in.name.html",
            "/single%20category/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/categories.html",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        ("A date alone", "/date-only.html", "/date-only", "2021-03-07T00:00:00-05:00"),
        ("An unquoted date", "/unquoted-date.html", "/unquoted-date", "2021-03-05T21:00:00-05:00"),
        ("A quoted date", "/quoted-date.html", "/quoted-date", "2021-03-05T02:00:00-05:00"),
        ("With a slug", "/My-Custom-Slug.html", "/My%20Custom%20Slug", "2021-03-04T18:30:00-05:00"),
        (
            "Unicode Straße",
            "/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!.html",
            "/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/across-midnight.html",
            "/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/CocoaPods-Caching.html",
            "/release/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "ordinal": [
        (
            "Full width",
            "/2024/122/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth.html",
            "/2024/122/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/2024/059/string-categories.html",
            "/jekyll/update/2024/059/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/2023/166/dots.in.name.html",
            "/single%20category/2023/166/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/001/categories.html",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/001/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/2021/066/date-only.html",
            "/2021/066/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/2021/064/unquoted-date.html",
            "/2021/064/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/2021/064/quoted-date.html",
            "/2021/064/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/2021/063/My-Custom-Slug.html",
            "/2021/063/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/2020/002/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!.html",
            "/2020/002/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/2016/237/across-midnight.html",
            "/2016/237/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/2014/220/CocoaPods-Caching.html",
            "/release/2014/220/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "weekdate": [
        (
            "Full width",
            "/2024/W18/Wed/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth.html",
            "/2024/W18/Wed/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/2024/W09/Wed/string-categories.html",
            "/jekyll/update/2024/W09/Wed/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/2023/W24/Thu/dots.in.name.html",
            "/single%20category/2023/W24/Thu/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/W52/Sun/categories.html",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/2023/W52/Sun/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/2021/W09/Sun/date-only.html",
            "/2021/W09/Sun/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/2021/W09/Fri/unquoted-date.html",
            "/2021/W09/Fri/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/2021/W09/Fri/quoted-date.html",
            "/2021/W09/Fri/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/2021/W09/Thu/My-Custom-Slug.html",
            "/2021/W09/Thu/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/2020/W01/Thu/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!.html",
            "/2020/W01/Thu/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/2016/W34/Wed/across-midnight.html",
            "/2016/W34/Wed/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/2014/W32/Fri/CocoaPods-Caching.html",
            "/release/2014/W32/Fri/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    EVERY_TOKEN: [
        (
            "Full width",
            "/2024/5/1/24/00-00-00/%C3%BCn%C3%AFcode-full-w%C3%AFdth/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth.html",
            "/2024/5/1/24/00-00-00/%C3%BCn%C3%AFcode-full-w%C3%AFdth/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/2024/2/28/24/19-30-00/string-categories/jekyll/update/string-categories.html",
            "/2024/2/28/24/19-30-00/string-categories/jekyll/update/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/2023/6/15/23/00-00-00/dots-in-name/single-category/dots.in.name.html",
            "/2023/6/15/23/00-00-00/dots-in-name/single-category/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/2023/1/1/23/01-15-00/categories/big-news/%C3%BCn%C3%AFcode-cat/categories.html",
            "/2023/1/1/23/01-15-00/categories/big-news/%C3%BCn%C3%AFcode-cat/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/2021/3/7/21/00-00-00/date-only/date-only.html",
            "/2021/3/7/21/00-00-00/date-only/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/2021/3/5/21/21-00-00/unquoted-date/unquoted-date.html",
            "/2021/3/5/21/21-00-00/unquoted-date/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/2021/3/5/21/02-00-00/quoted-date/quoted-date.html",
            "/2021/3/5/21/02-00-00/quoted-date/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/2021/3/4/21/18-30-00/my-custom-slug/My-Custom-Slug.html",
            "/2021/3/4/21/18-30-00/my-custom-slug/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/2020/1/2/20/00-00-00/unicode-stra%C3%9Fe-caf%C3%A9/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!.html",
            "/2020/1/2/20/00-00-00/unicode-stra%C3%9Fe-caf%C3%A9/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/2016/8/24/16/18-50-00/across-midnight/across-midnight.html",
            "/2016/8/24/16/18-50-00/across-midnight/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/2014/8/8/14/00-00-00/cocoapods-caching/release/CocoaPods-Caching.html",
            "/2014/8/8/14/00-00-00/cocoapods-caching/release/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "/:categories/:y_day/:w_year-:week-:w_day/:short_month/:long_month/:long_day/:name/:title/": [
        (
            "Full width",
            "/122/2024-18-3/May/May/Wednesday/2024-05-01-%C3%BCn%C3%AFcode-full-w%C3%AFdth/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth/",
            "/122/2024-18-3/May/May/Wednesday/2024-05-01-%C3%BCn%C3%AFcode-full-w%C3%AFdth/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/jekyll/update/059/2024-09-3/Feb/February/Wednesday/2024-02-29-string-categories/string-categories/",
            "/jekyll/update/059/2024-09-3/Feb/February/Wednesday/2024-02-29-string-categories/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/single%20category/166/2023-24-4/Jun/June/Thursday/2023-06-15-dots-in-name/dots.in.name/",
            "/single%20category/166/2023-24-4/Jun/June/Thursday/2023-06-15-dots-in-name/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/001/2022-52-7/Jan/January/Sunday/2022-12-31-categories/categories/",
            "/big%20news/%C3%BCn%C3%AFcode%20cat/001/2022-52-7/Jan/January/Sunday/2022-12-31-categories/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        (
            "A date alone",
            "/066/2021-09-7/Mar/March/Sunday/2021-03-07-date-only/date-only/",
            "/066/2021-09-7/Mar/March/Sunday/2021-03-07-date-only/date-only",
            "2021-03-07T00:00:00-05:00",
        ),
        (
            "An unquoted date",
            "/064/2021-09-5/Mar/March/Friday/2021-03-06-unquoted-date/unquoted-date/",
            "/064/2021-09-5/Mar/March/Friday/2021-03-06-unquoted-date/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        (
            "A quoted date",
            "/064/2021-09-5/Mar/March/Friday/2021-03-05-quoted-date/quoted-date/",
            "/064/2021-09-5/Mar/March/Friday/2021-03-05-quoted-date/quoted-date",
            "2021-03-05T02:00:00-05:00",
        ),
        (
            "With a slug",
            "/063/2021-09-4/Mar/March/Thursday/2021-03-04-with-slug/My-Custom-Slug/",
            "/063/2021-09-4/Mar/March/Thursday/2021-03-04-with-slug/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/002/2020-01-4/Jan/January/Thursday/2020-01-02-unicode-stra%C3%9Fe-caf%C3%A9/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!/",
            "/002/2020-01-4/Jan/January/Thursday/2020-01-02-unicode-stra%C3%9Fe-caf%C3%A9/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/237/2016-34-3/Aug/August/Wednesday/2016-08-25-across-midnight/across-midnight/",
            "/237/2016-34-3/Aug/August/Wednesday/2016-08-25-across-midnight/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/release/220/2014-32-5/Aug/August/Friday/2014-08-08-cocoapods-caching/CocoaPods-Caching/",
            "/release/220/2014-32-5/Aug/August/Friday/2014-08-08-cocoapods-caching/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
    "/:month_:day/:title": [
        (
            "Full width",
            "/05_01/%C3%9Cn%C3%AFcode_Full-w%C3%AFdth",
            "/05_01/%C3%9Cn%C3%AFcode_Full%E2%80%94w%C3%AFdth",
            "2024-05-01T00:00:00-04:00",
        ),
        (
            "Categories as a string",
            "/02_28/string-categories",
            "/02_28/string-categories",
            "2024-02-28T19:30:00-05:00",
        ),
        (
            "A permalink pattern",
            "/2023/permalink-pattern.html",
            "/2023/permalink-pattern",
            "2023-07-02T00:00:00-04:00",
        ),
        (
            "Its own permalink",
            "/custom/path/",
            "/custom/own-permalink",
            "2023-07-01T00:00:00-04:00",
        ),
        (
            "Dots in the name",
            "/06_15/dots.in.name",
            "/06_15/dots.in.name",
            "2023-06-15T00:00:00-04:00",
        ),
        (
            "Categories with spaces",
            "/01_01/categories",
            "/01_01/categories",
            "2023-01-01T01:15:00-05:00",
        ),
        ("A date alone", "/03_07/date-only", "/03_07/date-only", "2021-03-07T00:00:00-05:00"),
        (
            "An unquoted date",
            "/03_05/unquoted-date",
            "/03_05/unquoted-date",
            "2021-03-05T21:00:00-05:00",
        ),
        ("A quoted date", "/03_05/quoted-date", "/03_05/quoted-date", "2021-03-05T02:00:00-05:00"),
        (
            "With a slug",
            "/03_04/My-Custom-Slug",
            "/03_04/My%20Custom%20Slug",
            "2021-03-04T18:30:00-05:00",
        ),
        (
            "Unicode Straße",
            "/01_02/Unicode-Stra%C3%9Fe-&-Caf%C3%A9!",
            "/01_02/Unicode%20Stra%C3%9Fe%20&%20Caf%C3%A9!",
            "2020-01-02T00:00:00-05:00",
        ),
        (
            "Across midnight",
            "/08_24/across-midnight",
            "/08_24/across-midnight",
            "2016-08-24T18:50:00-04:00",
        ),
        (
            "CocoaPods Caching",
            "/08_08/CocoaPods-Caching",
            "/08_08/CocoaPods-Caching",
            "2014-08-08T00:00:00-04:00",
        ),
    ],
}


def site_copy(tmp_path: Path, permalink: str | None, extra: str = "") -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("_site", "public"))
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    if permalink is not None:
        text += f'permalink: "{permalink}"\n'
    config.write_text(text + extra, encoding="utf-8")
    return config


@pytest.mark.parametrize("permalink", list(JEKYLL))
def test_links_ids_and_dates_are_jekylls(tmp_path: Path, permalink: str) -> None:
    # `date` is Jekyll's default: site.yaml then gives no permalink at all.
    posts = posts_by_title(site_copy(tmp_path, None if permalink == "date" else permalink))
    assert sorted(posts) == sorted(title for title, *_ in JEKYLL[permalink])
    for title, link, entry_id, published in JEKYLL[permalink]:
        post = posts[title]
        assert (title, post.link, post.id) == (title, BLOG + link, BLOG + entry_id)
        assert post.published == datetime.fromisoformat(published), title


def test_unquoted_date_without_offset_is_utc_in_jekyll(tmp_path: Path) -> None:
    posts = posts_by_title(site_copy(tmp_path, None))
    for title in (UNQUOTED, UNQUOTED_SAME_DAY, QUOTED):
        _, link, _, published = next(row for row in JEKYLL["date"] if row[0] == title)
        post = posts[title]
        assert (post.link, post.published) == (BLOG + link, datetime.fromisoformat(published))


def test_only_jekyll_reads_unquoted_dates_as_utc(tmp_path: Path) -> None:
    # Without conventions (and under Hugo's, Zola's, Eleventy's) a date without an
    # offset is in the site's time zone, quoted or not.
    path = site_copy(tmp_path, None)
    text = path.read_text(encoding="utf-8").replace("conventions: jekyll\n", "")
    path.write_text(text.replace("id_scheme: generator\n", ""), encoding="utf-8")
    config, problems = load_config(path)
    assert config is not None, problems
    for name, published in [
        ("2021-03-06-unquoted-date.md", "2021-03-06T02:00:00-05:00"),
        ("2021-03-05-quoted-date.md", "2021-03-05T02:00:00-05:00"),
    ]:
        post, _ = read_post(config.posts_dir / name, config)
        assert post is not None
        assert post.published == datetime.fromisoformat(published)


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2021-03-06 02:00:00", True),
        ("2021-03-06T02:00:00", True),
        ("2021-3-6 2:00:00.25", True),
        ("2021-03-06t02:00:00", True),
        ("2021-03-06   02:00:00", True),
        ("2021-03-06", False),  # a Date: midnight in the site's zone
        ("2021-03-06 02:00:00 -0500", False),
        ("2021-03-06T02:00:00Z", False),
        ("2021-03-06 02:00", False),  # no timestamp: a string to Psych
        ("March 6, 2021 02:00:00", False),
    ],
)
def test_psychs_timestamps_without_offset(written: str, utc: bool) -> None:
    assert psych_utc(written) is utc


def test_the_feeds_carry_jekylls_links_and_ids(tmp_path: Path) -> None:
    config = site_copy(tmp_path, "pretty")
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "public"))
    expected = {title: (BLOG + link, BLOG + i) for title, link, i, _ in JEKYLL["pretty"]}
    for name in ("atom.xml", "rss.xml"):
        got = {e.title: (e.link, e.id) for e in feeds[name].entries}
        assert got == expected, name


def test_without_id_scheme_generator_ids_stay_feeds_own(tmp_path: Path) -> None:
    config = site_copy(tmp_path, None)
    config.write_text(
        config.read_text(encoding="utf-8").replace("id_scheme: generator\n", ""),
        encoding="utf-8",
    )
    post = posts_by_title(config)["CocoaPods Caching"]
    assert post.link == BLOG + "/release/2014/08/08/CocoaPods-Caching.html"
    assert post.id == "tag:example.org,2014-08-08:cocoapods-caching"


def test_feeds_own_tokens_are_still_read_under_jekyll(tmp_path: Path) -> None:
    # Sites that set permalink in feeds' syntax before Jekyll's was read keep their links.
    post = posts_by_title(site_copy(tmp_path, "/{year}/{slug}/"))["CocoaPods Caching"]
    assert post.link == BLOG + "/2014/cocoapods-caching/"


@pytest.mark.parametrize(
    ("permalink", "message"),
    [
        (
            "/:year/:foo/:title/",
            "'permalink' has unknown token :foo; use a style (date, pretty, ordinal, "
            "weekdate, none) or the tokens :year :month :day",
        ),
        ("/{year}/:title/", "'permalink' mixes feeds' {tokens} with the generator's :tokens"),
    ],
)
def test_a_permalink_jekyll_would_refuse_is_an_error(
    tmp_path: Path, permalink: str, message: str
) -> None:
    config, problems = load_config(site_copy(tmp_path, permalink))
    assert config is None
    [problem] = problems
    assert problem.format(relative_to=tmp_path / "site").startswith(f"site.yaml:10: {message}")


def test_id_scheme_generator_needs_conventions(tmp_path: Path) -> None:
    config_path = site_copy(tmp_path, None)
    text = config_path.read_text(encoding="utf-8").replace("conventions: jekyll\n", "")
    config_path.write_text(text, encoding="utf-8")
    config, problems = load_config(config_path)
    assert config is None
    assert [p.format(relative_to=config_path.parent) for p in problems] == [
        "site.yaml:8: 'id_scheme: generator' needs the generator's ids; add "
        "'conventions: jekyll', 'conventions: hugo', 'conventions: zola' or "
        "'conventions: eleventy', or write id_scheme: tag"
    ]
