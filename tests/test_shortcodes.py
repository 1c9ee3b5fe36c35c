"""Hugo shortcodes and Jekyll Liquid tags rendered as their generator renders them.

The generators' real output is recorded here (Hugo 0.111.3, Jekyll 4.3.1 with kramdown
and Rouge, site `https://example.org` with base path `/blog`), so the tests need
neither installed. Each is compared with feeds' output by structure (`shape`): the
elements, their attributes and text, whitespace between elements aside, and Rouge's
and Chroma's colour spans and styles aside (a feed reader shows code in its own style).
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from conftest import NOW, Site, check_all
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conventions import messages

from feeds.model import Severity
from feeds.render.content import render_html
from feeds.run import build
from feeds.source.templates import HUGO, LIQUID, strip_templates

SITE = "https://example.org/blog/"
POST = "https://example.org/blog/posts/a/"


def link_advice(target: str) -> str:
    return (
        f"feeds reads no post at {target}; correct the path, or write the post's URL "
        "instead (a link keeps its text meanwhile)"
    )


GENERIC_ADVICE = (
    "only the site's generator can run it; write its output as Markdown or HTML, "
    "or put it in `code` to show it"
)


class _Shape(HTMLParser):
    def __init__(self, ignore: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ignore = ignore
        self.tokens: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ignore:
            kept = sorted((k, v or "") for k, v in attrs if k not in ("style", "tabindex"))
            self.tokens.append(("<", tag, *(f"{k}={v}" for k, v in kept)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "br"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.ignore:
            self.tokens.append(("/", tag))

    def handle_data(self, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("text", data))


def shape(html: str, *, ignore: frozenset[str] = frozenset(), code: bool = False) -> list:
    """Elements with sorted attributes and their text; outside code, whitespace-only
    text between elements is left out and other text collapsed."""
    parser = _Shape(ignore)
    parser.feed(html)
    parser.close()
    tokens = []
    for token in parser.tokens:
        if token[0] == "text" and not code:
            text = " ".join(token[1].split())
            if text:
                tokens.append(("text", text))
        else:
            tokens.append(token)
    return tokens


def rendered(body: str, **options: object) -> tuple[str, list[tuple[int, str]]]:
    options.setdefault("site_url", SITE)
    return strip_templates(body, **options)  # type: ignore[arg-type]


def feed_html(body: str, **options: object) -> str:
    """What a feed entry holds: the body rendered, Markdown to sanitized HTML."""
    return render_html(rendered(body, **options)[0], POST, SITE)


# --- Hugo's figure ----------------------------------------------------------------------

HUGO_FIGURES = [
    (
        '{{< figure src="/img/a.png" >}}',
        '<figure><img src="/img/a.png"/>\n</figure>',
    ),
    (
        '{{< figure src="img/a.png" link="https://x.org/big.png" target="_blank" '
        'rel="noopener" alt="An \\"alt\\"" title="The *title*" caption="A *caption* with '
        '[link](https://y.org)" class="wide" height="100" width="200" attr="Photo *by* Me" '
        'attrlink="https://me.org" >}}',
        '<figure class="wide"><a href="https://x.org/big.png" target="_blank" '
        'rel="noopener"><img src="img/a.png"\n         alt="An &#34;alt&#34;" width="200" '
        'height="100"/></a><figcaption>\n            <h4>The *title*</h4><p>A '
        '<em>caption</em> with <a href="https://y.org">link</a>\n                    <a '
        'href="https://me.org">Photo <em>by</em> Me</a></p>\n        </figcaption>\n</figure>',
    ),
    (
        '{{< figure src="a.png" title="Only title" >}}',
        '<figure><img src="a.png"/><figcaption>\n            <h4>Only title</h4>\n'
        "        </figcaption>\n</figure>",
    ),
    (
        '{{< figure src="a.png" attr="only attr" >}}',
        '<figure><img src="a.png"/><figcaption>\n            <p>only attr</p>\n'
        "        </figcaption>\n</figure>",
    ),
    (
        '{{< figure src="a.png" caption="cap" attr="at" attrlink="https://me.org" >}}',
        '<figure><img src="a.png"\n         alt="cap"/><figcaption>\n            <p>cap\n'
        '                    <a href="https://me.org">at</a></p>\n        </figcaption>\n'
        "</figure>",
    ),
    (
        '{{< figure src=a.png title="" >}}',
        '<figure><img src="a.png"/>\n</figure>',
    ),
]


@pytest.mark.parametrize(("tag", "hugo"), HUGO_FIGURES)
def test_figure_as_hugo_renders_it(tag: str, hugo: str) -> None:
    text, warnings = rendered(tag + "\n")
    assert warnings == []
    assert shape(text) == shape(hugo)
    # In the feed: the same, as the sanitizer leaves any post's HTML (no class, target)
    assert shape(render_html(text, POST, SITE)) == shape(render_html(hugo, POST, SITE))


def test_figure_in_the_feed() -> None:
    body = (
        'Before\n{{< figure src="img/a.png" link="/big.png" caption="A *cap*" >}}\nAfter *this*\n'
    )
    assert feed_html(body) == (
        "<p>Before</p>\n"
        '<figure><a href="https://example.org/blog/big.png"><img '
        'src="https://example.org/blog/posts/a/img/a.png" alt="A cap"></a>'
        "<figcaption><p>A <em>cap</em></p></figcaption></figure>\n"
        "<p>After <em>this</em></p>"  # Markdown after the figure is still Markdown
    )


def test_figure_inside_a_paragraph_stays_inline() -> None:
    text, _ = rendered('Look: {{< figure src="a.png" >}} there\n')
    assert text == 'Look: <figure><img src="a.png"/></figure> there\n'


def test_markdown_notation_and_self_closing_figure() -> None:
    # {{% %}} (Hugo: the output is Markdown; raw HTML in it is Goldmark's to omit, not
    # a post author's intent) and {{< ... />}} render as {{< >}} does.
    for tag in ('{{% figure src="a.png" %}}', '{{< figure src="a.png" />}}'):
        assert rendered(tag)[0] == '<figure><img src="a.png"/></figure>'


def test_figure_without_src_or_with_positional_parameters_is_dropped() -> None:
    for tag in ("{{< figure >}}", "{{< figure a.png >}}"):
        text, warnings = rendered(f"x {tag} y\n", first_line=7)
        assert text == "x  y\n"
        assert warnings == [
            (
                7,
                f"template tag {tag} was left out of the feed: Hugo's figure takes named "
                'parameters and needs src; write {{< figure src="..." >}}',
            )
        ]


# --- Hugo's youtube and vimeo -----------------------------------------------------------

HUGO_YOUTUBE = (
    '<div style="position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;">\n'
    '  <iframe src="https://www.youtube.com/embed/w7Ft2ymGmfc" style="position: absolute; '
    'top: 0; left: 0; width: 100%; height: 100%; border:0;" allowfullscreen '
    'title="YouTube Video"></iframe>\n</div>'
)
HUGO_VIMEO = (
    '<div style="position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;">\n'
    '  <iframe src="https://player.vimeo.com/video/146022717" style="position: absolute; '
    'top: 0; left: 0; width: 100%; height: 100%; border:0;" title="vimeo video" '
    "webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe>\n</div>"
)


def test_hugo_video_players_would_leave_nothing_in_a_feed() -> None:
    # Why videos become links: the sanitizer removes Hugo's <iframe> players.
    assert render_html(HUGO_YOUTUBE, POST, SITE) == "<div>\n  \n</div>"
    assert render_html(HUGO_VIMEO, POST, SITE) == "<div>\n  \n</div>"


@pytest.mark.parametrize(
    "tag",
    [
        "{{< youtube w7Ft2ymGmfc >}}",
        '{{< youtube id="w7Ft2ymGmfc" >}}',
        '{{< youtube id="w7Ft2ymGmfc" autoplay="true" class="vid" loading="lazy" >}}',
    ],
)
def test_youtube_becomes_its_thumbnail_and_a_link(tag: str) -> None:
    assert feed_html(tag + "\n") == (
        '<figure><a href="https://www.youtube.com/watch?v=w7Ft2ymGmfc">'
        '<img src="https://i.ytimg.com/vi/w7Ft2ymGmfc/hqdefault.jpg" '
        'alt="Watch the video on YouTube"></a><figcaption>'
        '<a href="https://www.youtube.com/watch?v=w7Ft2ymGmfc">Watch the video on YouTube</a>'
        "</figcaption></figure>"
    )


def test_youtube_title_is_the_link_text() -> None:
    html = feed_html('{{< youtube id="w7Ft2ymGmfc" title="My <video> & \\"more\\"" >}}\n')
    assert 'alt="My &lt;video&gt; &amp; &quot;more&quot;"' in html
    assert '">My &lt;video&gt; &amp; "more"</a></figcaption>' in html


@pytest.mark.parametrize(
    "tag", ["{{< vimeo 146022717 >}}", '{{< vimeo id="146022717" class="c" >}}']
)
def test_vimeo_becomes_a_link(tag: str) -> None:
    assert feed_html(tag + "\n") == (
        '<p><a href="https://vimeo.com/146022717">Watch the video on Vimeo</a></p>'
    )
    assert feed_html('{{< vimeo id="146022717" title="T" >}}\n') == (
        '<p><a href="https://vimeo.com/146022717">T</a></p>'
    )


@pytest.mark.parametrize(
    "tag",
    [
        "{{< youtube >}}",
        '{{< youtube id="a b" >}}',
        '{{< youtube "x\\" onerror=\\"alert(1)" >}}',
        '{{< youtube "../../evil" >}}',
        "{{< vimeo abc >}}",
    ],
)
def test_videos_without_a_valid_id_are_dropped(tag: str) -> None:
    text, warnings = rendered(f"{tag}\n")
    assert text == "\n"
    assert len(warnings) == 1
    assert "video ids are" in warnings[0][1]


# --- Hugo's highlight -------------------------------------------------------------------

HUGO_HIGHLIGHT = (
    '<div class="highlight"><pre tabindex="0" style="color:#f8f8f2;background-color:#272822;'
    '-moz-tab-size:4;-o-tab-size:4;tab-size:4;"><code class="language-go" data-lang="go">'
    '<span style="display:flex;"><span><span style="color:#a6e22e">x</span>\n</span></span>'
    '<span style="display:flex;"><span>\n</span></span><span style="display:flex;"><span>'
    '<span style="color:#a6e22e">y</span> &lt; <span style="color:#ae81ff">2</span>'
    "</span></span></code></pre></div>"
)


@pytest.mark.parametrize(
    "tag", ['{{< highlight go "linenos=table,hl_lines=2" >}}', '{{< highlight "Go" >}}']
)
def test_hugo_highlight_without_chroma_styles(tag: str) -> None:
    text, warnings = rendered(f"{tag}\nx\n\ny < 2\n{{{{< /highlight >}}}}\nAfter\n")
    assert warnings == []
    spans = frozenset({"span"})
    assert shape(text, ignore=spans, code=True)[:-1] == shape(
        HUGO_HIGHLIGHT, ignore=spans, code=True
    )
    assert render_html(text, POST, SITE) == (
        '<div><pre><code class="language-go">x\n\ny &lt; 2</code></pre></div>\n<p>After</p>'
    )


# --- Hugo: links to other posts, escapes, unknown shortcodes ----------------------------


def test_ref_and_relref_keep_the_link_text() -> None:
    body = 'See [o]({{< ref "other.md" >}}) and [p]({{< relref "posts/other" >}}).\n'
    text, warnings = rendered(body, first_line=4)
    assert text == "See o and p.\n"
    assert warnings == [
        (
            4,
            f'template tag {{{{< ref "other.md" >}}}} was left out of the feed: '
            f"{link_advice('other.md')}",
        ),
        (
            4,
            f'template tag {{{{< relref "posts/other" >}}}} was left out of the feed: '
            f"{link_advice('posts/other')}",
        ),
    ]
    # an image whose source is gone goes with it; a bare ref leaves nothing
    assert rendered('![alt]({{< ref "a.png" >}}) {{< ref "a" >}}.')[0] == " ."


def test_escaped_shortcodes_are_shown() -> None:
    # Hugo's way to show a shortcode: {{</* name */>}} gives {{< name >}}
    text, warnings = rendered('{{</* figure src="a.png" */>}} {{%/* x */%}}\n')
    assert (text, warnings) == ('{{< figure src="a.png" >}} {{% x %}}\n', [])


def test_unknown_shortcodes_are_dropped_with_a_warning() -> None:
    text, warnings = rendered("{{< note >}}\nInside\n{{< /note >}}\n{{< gist a b >}}\n")
    assert text == "\nInside\n\n\n"
    assert [(line, message.split(":")[0]) for line, message in warnings] == [
        (1, "template tag {{< note >}} was left out of the feed"),
        (4, "template tag {{< gist a b >}} was left out of the feed"),
    ]
    assert warnings[0][1].endswith(GENERIC_ADVICE)


# --- Jekyll -----------------------------------------------------------------------------

JEKYLL_HIGHLIGHT = (
    '<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby"><span '
    'class="k">def</span> <span class="nf">foo</span>\n  <span class="nb">puts</span> <span '
    'class="s2">"&lt;b&gt;"</span>\n<span class="k">end</span></code></pre></figure>'
)
JEKYLL_LINENOS = (
    '<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby"><table '
    'class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">1\n2\n3\n'
    '</pre></td><td class="code"><pre><span class="k">def</span> <span class="nf">foo'
    '</span>\n  <span class="mi">1</span>\n<span class="k">end</span>\n</pre></td></tr>'
    "</tbody></table></code></pre></figure>"
)


def test_jekyll_highlight() -> None:
    body = '{% highlight Ruby %}\ndef foo\n  puts "<b>"\nend\n{% endhighlight %}\n'
    text, warnings = rendered(body)
    assert warnings == []
    spans = frozenset({"span"})
    assert shape(text, ignore=spans, code=True)[:-1] == shape(
        JEKYLL_HIGHLIGHT, ignore=spans, code=True
    )


def test_jekyll_highlight_with_line_numbers() -> None:
    body = "{% highlight ruby linenos %}\ndef foo\n\n  1\nend\n{% endhighlight %}\nAfter\n"
    text, _ = rendered(body)
    # Jekyll's output above, for the same code with a blank line added
    expected = JEKYLL_LINENOS.replace("1\n2\n3\n", "1\n2\n3\n4\n")
    expected = expected.replace("foo</span>\n", "foo</span>\n\n")
    spans = frozenset({"span"})
    assert shape(text, ignore=spans, code=True)[:-1] == shape(expected, ignore=spans, code=True)
    html = render_html(text, POST, SITE)
    assert html == (
        '<figure><pre><code class="language-ruby"><table><tbody><tr><td><pre>1\n2\n3\n4\n'
        "</pre></td><td><pre>def foo\n\n  1\nend\n</pre></td></tr></tbody></table></code>"
        "</pre></figure>\n<p>After</p>"
    )


def test_eleventy_highlight_quotes_the_language() -> None:
    text, _ = rendered('{% highlight "js" %}\nx\n{% endhighlight %}')
    assert '<code class="language-js" data-lang="js">x</code>' in text


JEKYLL_URLS = (
    "URL https://example.org BASE /blog BOTH https://example.org/blog/x.png "
    "REL /blog/assets/x.png ABS https://example.org/blog/assets/x.png "
    "EMPTY /blog X /blog/x ABSEMPTY https://example.org/blog KEPT https://a.org/x"
)


def test_site_url_baseurl_and_url_filters() -> None:
    body = (
        "URL {{ site.url }} BASE {{site.baseurl}} BOTH {{ site.url }}{{ site.baseurl }}/x.png "
        'REL {{ "/assets/x.png" | relative_url }} ABS {{ "/assets/x.png" | absolute_url }} '
        """EMPTY {{ "" | relative_url }} X {{ 'x' | relative_url }} ABSEMPTY """
        """{{ "" | absolute_url }} KEPT {{ "https://a.org/x" | relative_url }}"""
    )
    text, warnings = rendered(body)
    assert (text, warnings) == (JEKYLL_URLS, [])


def test_site_url_at_the_site_root() -> None:
    body = '{{ site.url }}|{{ site.baseurl }}|{{ "/x" | relative_url }}|{{ "y/" | absolute_url }}'
    text, _ = rendered(body, site_url="https://example.org/")
    assert text == "https://example.org||/x|https://example.org/y/"  # Jekyll 4.3's output


def test_without_the_site_url_its_variables_go_silently() -> None:
    text, warnings = strip_templates("![logo]({{ site.baseurl }}/img/logo.png)")
    assert (text, warnings) == ("![logo](/img/logo.png)", [])


SITE_VARIABLES = {
    "repository": "jekyll/jekyll",
    "owner": {"name": "Jo Doe", "links": ["a", "b"]},
    "logo": "/img/logo.png",
    "empty": "",
}


def test_site_variables_as_jekyll_writes_them() -> None:
    """Checked against Jekyll 4.3 with the same values in _config.yml."""
    body = (
        "[repo](https://github.com/{{ site.repository }}) by {{site.owner.name}} "
        "{{ site.owner.links }}|{{ site.empty }}|![logo]({{ site.logo | relative_url }}) "
        "{{ site.logo | absolute_url }}"
    )
    text, warnings = rendered(body, variables=SITE_VARIABLES)
    assert warnings == []
    assert text == (
        "[repo](https://github.com/jekyll/jekyll) by Jo Doe ab||![logo](/blog/img/logo.png) "
        "https://example.org/blog/img/logo.png"
    )


@pytest.mark.parametrize(
    ("tag", "advice"),
    [
        ("{{ site.repo }}", "site_variables has no repo; add repo: <its value> there"),
        ("{{ site.owner.email }}", "has no owner.email; add email: <its value> there"),
        ("{{ site.owner }}", "site.owner is a mapping; name one of its values"),
        ("{{ site.posts }}", "site.posts is computed by Jekyll from the whole site"),
        ("{{ site.logo | upcase }}", "only the site's generator can run it"),
    ],
)
def test_a_site_variable_without_a_value_is_dropped_with_advice(tag: str, advice: str) -> None:
    text, warnings = rendered(f"a {tag} b", variables=SITE_VARIABLES)
    assert text == "a  b"
    assert [line for line, _ in warnings] == [1]
    assert advice in warnings[0][1]


def test_site_variables_only_in_liquid() -> None:
    text, warnings = rendered(
        "{{ site.repository }}", variables=SITE_VARIABLES, dialects=frozenset({HUGO})
    )
    assert text == "" and len(warnings) == 1


def test_raw_keeps_its_inside() -> None:
    text, warnings = rendered("RAW {% raw %}{{ not run }} {% if %}{% endraw %} after\n")
    assert (text, warnings) == ("RAW {{ not run }} {% if %} after\n", [])


def test_link_and_post_url_keep_the_link_text() -> None:
    body = (
        "[o]({% link _posts/2024-01-01-other.md %}) [p]({% post_url 2024-01-01-other %}) "
        "[q]({{ site.baseurl }}{% post_url 2024-01-01-other %})\n"
    )
    text, warnings = rendered(body)
    assert text == "o p q\n"
    targets = ["_posts/2024-01-01-other.md", "2024-01-01-other", "2024-01-01-other"]
    assert [message.split(": ", 1)[1] for _, message in warnings] == [
        link_advice(target) for target in targets
    ]


def test_other_liquid_is_dropped_with_a_warning() -> None:
    text, warnings = rendered("{{ page.title }} {% include x.html %} {{ site.url | upcase }}")
    assert text == "  "
    assert len(warnings) == 3
    assert all(message.endswith(GENERIC_ADVICE) for _, message in warnings)


# --- which generator's syntax is rendered -----------------------------------------------


def test_hugo_shortcodes_only_in_hugo_dialect() -> None:
    body = '{{< figure src="a.png" >}}\n{{< highlight go >}}\nx := 1\n{{< /highlight >}}\n'
    assert rendered(body, dialects=frozenset({HUGO}))[1] == []
    text, warnings = rendered(body, dialects=frozenset({LIQUID}))
    assert text == "\n\nx := 1\n\n"  # the tags go, the code stays as text
    assert [line for line, _ in warnings] == [1, 2]


def test_liquid_only_in_liquid_dialect() -> None:
    body = "{{ site.url }}/a {% highlight ruby %}\nputs 1\n{% endhighlight %}\n"
    assert rendered(body, dialects=frozenset({LIQUID}))[0].startswith("https://example.org/a <")
    text, warnings = rendered(body, dialects=frozenset({HUGO}))
    assert text == "/a \nputs 1\n\n"  # site.url: silent as before, resolved by `content`
    assert [line for line, _ in warnings] == [1]


def test_code_stays_literal() -> None:
    body = '```\n{{< figure src="a.png" >}}\n```\n\n    {% highlight x %}\n\n`{{ site.url }}`\n'
    assert rendered(body) == (body, [])


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{{< figure src="javascript:alert(1)" link="javascript:alert(2)" >}}',
        '{{< figure src="java\tscript:alert(1)" link=" JavaScript:alert(2)" >}}',
        '{{< figure src="a.png" alt="\\"><script>alert(1)</script>" >}}',
        '{{< figure src="a.png" caption="<script>alert(1)</script>[x](javascript:alert(1))" >}}',
        '{{< figure src="a.png" title="</h4><img src=x onerror=alert(1)>" >}}',
        '{{< figure src="a.png" class="x\\" onclick=\\"alert(1)" width="1 onload=alert(1)" >}}',
        '{{< figure src="a.png" attrlink="javascript:alert(1)" attr="x" >}}',
        '{{< figure src="a.png >}} <script>alert(1)</script>',
        '{{< figure src="{{< youtube x >}}" >}}',
        "{{< figure src=a.png",
        "{{< highlight html >}}\n<script>alert(1)</script>",
        "{% highlight html %}\n</code></pre><script>alert(1)</script>\n{% endhighlight %}",
        "{{< highlight html >}}\n</code></pre><img src=x onerror=alert(1)>\n{{< /highlight >}}",
        '{{ "javascript:alert(1)" | relative_url }}',
        "[x]({{< ref javascript:alert(1) >}})",
        "{% raw %}<script>alert(1)</script>{% endraw %}",
    ],
)
def test_hostile_input_gives_safe_output(body: str) -> None:
    assert_safe(feed_html(body + "\n"))


def assert_safe(html: str) -> None:
    """No script, iframe, event handler or script URL survives, as elements or attributes
    (text may show them: escaped, it is text). A script URL is one whose scheme, the
    part before its first `/`, `?` or `#`, names one (`java\tscript:` too, as browsers
    drop the whitespace): `https://x/a/javascript:y` is a page's address."""
    for token in shape(html):
        if token[0] == "<":
            assert token[1] not in ("script", "iframe", "style"), html
            for attribute in token[2:]:
                name, _, value = attribute.partition("=")
                assert not name.startswith("on"), html
                scheme = re.split(r"[/?#]", "".join(value.lower().split()), maxsplit=1)[0]
                assert "script:" not in scheme, html


def test_a_quoted_closing_bracket_does_not_end_the_shortcode() -> None:
    assert (
        rendered('{{< figure src="a>}}b.png" >}}')[0]
        == '<figure><img src="a&gt;}}b.png"/></figure>'
    )


def test_many_openers_are_quick() -> None:
    start = time.monotonic()
    for body in ("{{<" * 5000, '{{< figure src="' * 2000, "[x](" * 3000 + "{{< ref a >}}" * 500):
        rendered(body)
    assert time.monotonic() - start < 5


_PIECES = [
    "{{<", "{{%", ">}}", "%}}", "{%", "%}", "{{", "}}", "/*", "*/", "figure", "youtube",
    "vimeo", "highlight", "/highlight", "ref", "src=", "link=", "caption=", '"', "`", "\\",
    "javascript:alert(1)", "<script>", "[x](", ")", "!", "\n", " ", "a.png", "raw", "endraw",
    "linenos", "site.url", "|", "relative_url", "'", "<", ">", "&",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_mix_of_template_pieces_is_safe(pieces: list[str]) -> None:
    body = "".join(pieces)
    for dialects in (frozenset({HUGO, LIQUID}), frozenset({HUGO}), frozenset()):
        text, warnings = rendered(body, dialects=dialects)
        assert_safe(render_html(text, POST, SITE))
        assert all(line >= 1 for line, _ in warnings)


# --- through a build --------------------------------------------------------------------


def test_a_built_feed_holds_the_rendered_shortcodes(site: Site) -> None:
    body = (
        "Intro.\n\n"  # the body starts on line 5
        '{{< figure src="/img/a.png" caption="A cat" >}}\n'
        "{{< youtube w7Ft2ymGmfc >}}\n"
        'See [the other]({{< ref "other.md" >}}) and {{ site.url }}{{ site.baseurl }}/x.\n'
    )
    site.post("a", body=body)
    result = build(site.config, now=NOW, use_cache=False)
    assert messages(result, site.root, Severity.WARNING) == [
        f'posts/a.md:9: warning: template tag {{{{< ref "other.md" >}}}} was left out of the '
        f"feed: {link_advice('other.md')}"
    ]
    feeds = check_all(site.files())
    for name in ("atom.xml", "rss.xml", "feed.json"):
        content = feeds[name].entries[0].content[0]
        content = content["value"] if isinstance(content, dict) else content.value
        figure = shape(
            '<figure><img src="https://example.org/blog/img/a.png" alt="A cat">'
            "<figcaption><p>A cat</p></figcaption></figure>"
        )
        tokens = shape(content)
        assert any(tokens[i : i + len(figure)] == figure for i in range(len(tokens))), content
        assert 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"' in content
        assert "See the other and https://example.org/blog/x." in re.sub(r"<[^>]+>", "", content)
