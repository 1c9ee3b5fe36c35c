"""Template text in post bodies: Liquid (Jekyll, Eleventy) and Hugo shortcodes.

A generator runs these before Markdown; `feeds` cannot run them all, and must not
publish `{% include ... %}` as text either. So, outside code only, the generator's
built-ins whose output depends on the post alone are rendered as the generator
renders them (checked against Hugo 0.111 and Jekyll 4.3), and the rest is dropped:

- `{% raw %}...{% endraw %}` keeps its inside, as the generator shows it; Hugo's
  `{{</* x */>}}` shows `{{< x >}}`;
- `{% highlight lang [linenos] %}` becomes Jekyll's `<figure class="highlight">` block,
  `{{< highlight lang >}}` Hugo's `<div class="highlight">` one, without the colours
  (Rouge's classes need the site's style sheet, Chroma's inline styles are the
  site's choice: a reader shows code in its own style);
- `{{< figure >}}` becomes Hugo's `<figure>`, its caption Markdown as in Hugo;
- `{{< youtube >}}` and `{{< vimeo >}}` become a link to the video (YouTube's with
  its thumbnail): Hugo's `<iframe>` player is removed by the sanitizer, as by most
  feed readers, and would leave nothing to see;
- `{{ site.url }}`, `{{ site.baseurl }}` and `{{ "/x" | relative_url }}` (or
  `absolute_url`) are Jekyll's values, from the site's `url` (the origin, the path);
  any other `{{ site.name }}` is the value site.yaml's `site_variables` gives (a
  list's items one after another, as Liquid writes them), or dropped with a warning
  when it gives none;
- `{% comment %}...{% endcomment %}` is dropped silently: it was never shown;
- so are closing tags (`{% endfor %}`, `{{< /note >}}`: their opening tag was warned
  about) and a `{% raw %}` whose `{% endraw %}` is past a code block (the code stays);
- links to other posts, Hugo's `{{< ref "x" >}}` and `{{< relref "x" >}}`, Jekyll's
  `{% link _posts/x.md %}` and `{% post_url 2024-01-02-x %}`, become the link the
  generator writes when `links` (from the post's `refs`, which the site's plan
  resolved: see `plan.refs`) holds their target; reading a post, `refs` collects them
  instead, without a warning, as only the plan knows whether the target is a post;
- any other tag is dropped, with a warning naming the line; so is a link to a post
  `links` does not hold. A Markdown link whose whole target is a dropped tag keeps
  its text.

Each generator's syntax is rendered only in its `dialects` (`HUGO`, `LIQUID`);
elsewhere it is dropped with a warning as any other tag. Inside fenced and indented
code blocks and code spans the text stays literal: that is where posts show
template syntax on purpose. Pure: text in, text and warnings out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape, unescape
from typing import Any
from urllib.parse import quote, urlsplit

import cmarkgfm

MARKERS = ("{%", "{{")
"""A body without these has no template text, and is returned as it is."""

HUGO = "hugo"
"""Hugo's shortcodes: `{{< name >}}`, `{{% name %}}`."""
LIQUID = "liquid"
"""Jekyll's Liquid tags and variables (Eleventy's Liquid shares `highlight`)."""
DIALECTS = frozenset({HUGO, LIQUID})
"""Without a generator's conventions: both, as neither syntax is the other's."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TAG = r"-?\s*{}\s*-?"
# A Hugo tag ends at the first `>}}` outside a quoted parameter, as in Hugo's lexer.
_HUGO_TAG = r"\{\{[<%](?:[^\"`]|\"(?:[^\"\\]|\\.){0,2000}\"|`[^`]{0,2000}`){0,2000}?[>%]\}\}"
_ANY_TAG = _HUGO_TAG + r"|\{\{[<%].{0,2000}?[>%]\}\}|\{%.{0,2000}?%\}|\{\{.{0,2000}?\}\}"
_SPAN = r"(?P<span>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))"
_RAW = r"\{%" + _TAG.format("raw") + r"%\}(?P<raw>.*?)\{%" + _TAG.format("endraw") + r"%\}"
_COMMENT = r"\{%" + _TAG.format("comment") + r"%\}.*?\{%" + _TAG.format("endcomment") + r"%\}"
_LIQUID_HIGHLIGHT = (
    r"\{%-?\s*highlight\b(?P<largs>[^%]*)%\}(?P<lcode>.*?)\{%"
    + _TAG.format("endhighlight")
    + r"%\}"
)
_HUGO_HIGHLIGHT = (
    r"\{\{[<%]\s*highlight\b(?P<hargs>[^}]*?)[>%]\}\}"
    r"(?P<hcode>.*?)\{\{[<%]\s*/\s*highlight\s*[>%]\}\}"
)
_HUGO_ESCAPED = r"(?P<escaped>\{\{(?P<open>[<%])/\*(?P<inner>.{0,2000}?)\*/(?P<close>[>%])\}\})"
# A Markdown link or image whose target has template text: `[text]({{< ref x >}})`.
# The target is one run of characters, read tag by tag afterwards: tags repeated
# inside this pattern would make it backtrack for ever on `[x](` repeated.
_LINKED = (
    r"(?P<linked>(?P<image>!?)\[(?P<text>[^\[\]]{0,1000})\]"
    r"\(\s*(?P<target>\{[{%][^()\n]{0,2000}?)\s*\))"
)
_GENERIC = r"(?P<tag>" + _ANY_TAG + r")"
# Closing tags: their opening tag was rendered or warned about.
_CLOSING = re.compile(r"\{%-?\s*(?:end\w+|raw)\s*-?%\}|\{\{[<%]\s*/[^{}]*[>%]\}\}")
# Jekyll's site URL: what follows it is a root-relative link, which `content` resolves
# against the site's `url`, so without Jekyll's values it is dropped silently.
_SITE_URL = re.compile(r"\{\{-?\s*site\.(?:base)?url\s*-?\}\}")
_TAGS = re.compile(_ANY_TAG, re.DOTALL)
_SHOWN = 60

_HUGO_SHORTCODE = re.compile(
    r"\{\{[<%]\s*(?P<name>[\w.-]+)(?P<args>.*?)\s*/?\s*[>%]\}\}", re.DOTALL
)
_HUGO_PARAM = re.compile(
    r"\s*(?:(?P<key>[A-Za-z_][\w-]*)\s*=\s*)?"
    r"(?:\"(?P<quoted>(?:[^\"\\]|\\.)*)\"|`(?P<raw>[^`]*)`|(?P<word>[^\s\"`=]+))"
)
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*(?P<expr>.*?)\s*-?\}\}", re.DOTALL)
_LIQUID_TAG = re.compile(r"\{%-?\s*(?P<name>\w+)", re.DOTALL)
_LIQUID_VALUE = re.compile(
    r"(?:site\.(?P<variable>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)"
    r"|\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')"
    r"(?:\s*\|\s*(?P<filter>relative_url|absolute_url))?"
)
_JEKYLL_COMPUTED = frozenset(
    {"posts", "pages", "documents", "collections", "categories", "tags", "data"}
    | {"static_files", "html_pages", "html_files", "related_posts", "time"}
)
"""Jekyll's own site variables, computed from the whole site, which feeds cannot."""
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_VIMEO_ID = re.compile(r"[0-9]{1,20}")
_LINKS_TO_POSTS = {"ref", "relref", "link", "post_url"}
_LIQUID_LINK = re.compile(r"\{%-?\s*(?P<name>link|post_url)\s+(?P<target>[^\s{}%]+)\s*-?%\}")

Ref = tuple[str, str, int, str, str | None]
"""A link to another post: `(tag, target, line, tag as shown, link or None)`."""


@dataclass(frozen=True)
class _Site:
    dialects: frozenset[str]
    origin: str | None
    """Jekyll's `site.url`: the site's `url` without its path; None: not known."""
    base_path: str
    """Jekyll's `site.baseurl`: the path of the site's `url`, without the last slash."""
    variables: Mapping[str, Any]
    """The site's variables posts show, as `site.<name>` (see `SiteConfig.site_variables`)."""
    links: Mapping[tuple[str, str], str | None]
    """The links to other posts, by `(tag, target)`."""
    refs: list[Ref] | None
    """Where reading collects the links to other posts, or None when rendering."""


class _Dropped(Exception):
    """A tag that is left out, with the reason and advice for the warning."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_GENERIC_REASON = (
    "only the site's generator can run it; write its output as Markdown or HTML, "
    "or put it in `code` to show it"
)


def strip_templates(
    body: str,
    first_line: int = 1,
    markdown: bool = True,
    *,
    dialects: frozenset[str] = DIALECTS,
    site_url: str | None = None,
    variables: Mapping[str, Any] | None = None,
    links: Mapping[tuple[str, str], str | None] | None = None,
    refs: list[Ref] | None = None,
) -> tuple[str, list[tuple[int, str]]]:
    """The body with template text rendered or dropped, and `(line, message)` for each
    tag dropped.

    `first_line` is the file's line the body starts on, so warnings point into the
    file. An HTML body (`markdown=False`) has no Markdown code blocks. `dialects` are
    the template syntaxes the site's generator runs; `site_url` gives Jekyll's
    `site.url` and `site.baseurl` (without it they are dropped silently, and a
    root-relative link after them still resolves against the site), `variables` its
    other `site.<name>` values. `links` gives
    the links to other posts by `(tag, target)`; `refs`, when given, collects those
    links (well-formed, in `dialects`) instead, and they are then not warned about.
    """
    if not has_template_text(body):
        return body, []
    parts = urlsplit(site_url) if site_url else None
    site = _Site(
        frozenset(dialects),
        f"{parts.scheme}://{parts.netloc}" if parts else None,
        parts.path.rstrip("/") if parts else "",
        variables or {},
        links or {},
        refs,
    )
    out: list[str] = []
    warnings: list[tuple[int, str]] = []
    blocks = _blocks(body, first_line) if markdown else [(False, body, first_line)]
    for is_code, text, line in blocks:
        out.append(text if is_code else _strip_text(text, line, warnings, site))
    return "".join(out), warnings


def has_template_text(text: str) -> bool:
    """Whether `text` may hold template tags; cheap enough to ask of every post."""
    return "{" in text and any(marker in text for marker in MARKERS)


def _blocks(body: str, first_line: int) -> list[tuple[bool, str, int]]:
    """The body cut into code blocks (fenced, indented) and the text between, with lines."""
    blocks: list[tuple[bool, str, int]] = []
    fence: str | None = None
    previous_blank, in_list, in_indented = True, False, False
    for number, line in enumerate(body.splitlines(keepends=True), start=first_line):
        stripped = line.strip()
        if fence is not None:
            is_code = True
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
        elif (opening := _FENCE.match(line)) is not None:
            fence, is_code = opening[1], True
        elif _INDENTED.match(line) and (in_indented or (previous_blank and not in_list)):
            is_code = in_indented = True
        else:
            is_code = in_indented = in_indented and not stripped
            if _LIST_ITEM.match(line):
                in_list = True
            elif stripped and not _INDENTED.match(line):
                in_list = False
        previous_blank = not stripped
        if blocks and blocks[-1][0] == is_code:
            blocks[-1] = (is_code, blocks[-1][1] + line, blocks[-1][2])
        else:
            blocks.append((is_code, line, number))
    return blocks


@functools.cache
def _token(dialects: frozenset[str]) -> re.Pattern[str]:
    """What `_strip_text` replaces, first match first: a generator's paired tags
    (`highlight`) only in its dialects, so that elsewhere their tags are dropped one by
    one and the code between them stays as text, as for any other tag."""
    alternatives = [_SPAN, _RAW, _COMMENT]
    if LIQUID in dialects:
        alternatives.append(_LIQUID_HIGHLIGHT)
    if HUGO in dialects:
        alternatives += [_HUGO_HIGHLIGHT, _HUGO_ESCAPED]
    alternatives += [_LINKED, _GENERIC]
    return re.compile("|".join(alternatives), re.DOTALL)


def _strip_text(text: str, first_line: int, warnings: list[tuple[int, str]], site: _Site) -> str:
    def line_of(position: int) -> int:
        return first_line + text.count("\n", 0, position)

    def rendered(tag: str, position: int) -> str | None:
        """The tag's output, or None (and a warning) when it is dropped."""
        if _CLOSING.fullmatch(tag) or (
            _SITE_URL.fullmatch(tag) and (LIQUID not in site.dialects or site.origin is None)
        ):
            return ""
        try:
            link = _link_tag(tag, site)
            if link is None:
                return _render_tag(tag, site)
            if site.refs is not None:
                site.refs.append((*link, line_of(position), shown_tag(tag), None))
                return ""
            target = site.links.get(link)
            if target is None:
                raise _Dropped(unknown_post_reason(link[1]))
            return target
        except _Dropped as dropped:
            warnings.append((line_of(position), dropped_message(tag, dropped.reason)))
            return None

    def replace(match: re.Match[str]) -> str:
        groups = match.groupdict()
        if groups["span"] is not None:
            return match[0]
        if groups["raw"] is not None:
            return match["raw"]
        if groups.get("lcode") is not None:
            return _block(_jekyll_highlight(match["largs"], match["lcode"]), text, match)
        if groups.get("hcode") is not None:
            return _block(_hugo_highlight(match["hargs"], match["hcode"]), text, match)
        if groups.get("escaped") is not None:
            return "{{" + match["open"] + match["inner"] + match["close"] + "}}"
        if groups["linked"] is not None:
            start, target = match.start("target"), match["target"]
            if _TAGS.sub("", target).strip():  # text too, as in `({{ site.url }}/a.png)`
                inside = _strip_text(target, line_of(start), warnings, site)
                return f"{match['image']}[{match['text']}]({inside})"
            parts = [rendered(tag[0], start + tag.start()) for tag in _TAGS.finditer(target)]
            if None not in parts:
                return f"{match['image']}[{match['text']}]({''.join(map(str, parts))})"
            # The link's target is gone: its text stays, an image goes with its source.
            if match["image"]:
                return ""
            return _strip_text(match["text"], line_of(match.start("text")), warnings, site)
        if groups["tag"] is not None:
            output = rendered(match["tag"], match.start())
            return "" if output is None else _block(output, text, match)
        return ""  # a comment

    pattern = _token(site.dialects)
    return pattern.sub(replace, text)


def shown_tag(tag: str) -> str:
    """A tag as warnings show it: on one line, and shortened."""
    shown = " ".join(tag.split())
    return shown[: _SHOWN - 1] + "…" if len(shown) > _SHOWN else shown


def dropped_message(tag: str, reason: str) -> str:
    """The warning for a tag left out."""
    return f"template tag {shown_tag(tag)} was left out of the feed: {reason}"


def unknown_post_reason(target: str) -> str:
    """Why a link to another post is left out: no post is at its target."""
    return (
        f"feeds reads no post at {target}; correct the path, or write the post's URL "
        "instead (a link keeps its text meanwhile)"
    )


def _link_tag(tag: str, site: _Site) -> tuple[str, str] | None:
    """`(tag, target)` for a link to another post in the site's dialects, else None;
    `_Dropped` when its parameters are not a path alone."""
    if tag.startswith(("{{<", "{{%")):
        match = _HUGO_SHORTCODE.fullmatch(tag)
        if HUGO not in site.dialects or match is None or match["name"] not in ("ref", "relref"):
            return None
        named, positional = _hugo_params(match["args"])
        if "path" in named and not positional:
            positional = [named.pop("path")]
        if named or len(positional) != 1:
            raise _Dropped(
                f"feeds renders {match['name']} with a path alone; write "
                f'{{{{< {match["name"]} "path" >}}}}'
            )
        return match["name"], positional[0]
    if tag.startswith("{%") and LIQUID in site.dialects:
        liquid = _LIQUID_LINK.fullmatch(tag)
        return None if liquid is None else (liquid["name"], liquid["target"])
    return None


def _block(html: str, text: str, match: re.Match[str]) -> str:
    """`html` in place of the tag: one line, so that no blank line in it ends an HTML
    block early, and, for a tag alone at the start of its line, a blank line after, so
    that the Markdown after it is not taken for the rest of the HTML block."""
    if not html.startswith("<"):
        return html
    html = html.replace("\n", " ")  # a title may hold one; code holds `&#10;`
    line_start = text.rfind("\n", 0, match.start()) + 1
    at_start = not text[line_start : match.start()].strip(" ")
    at_end = text.startswith("\n", match.end())
    return html + "\n" if at_start and at_end else html


def _render_tag(tag: str, site: _Site) -> str:
    """The generator's output for one tag, in HTML or text; `_Dropped` if not rendered."""
    if tag.startswith(("{{<", "{{%")):
        if HUGO not in site.dialects:
            raise _Dropped(_GENERIC_REASON)
        return _hugo_shortcode(tag)
    if tag.startswith("{%"):
        name = _LIQUID_TAG.match(tag)
        if LIQUID in site.dialects and name is not None and name["name"] in _LINKS_TO_POSTS:
            raise _Dropped(_LINK_REASON)
        raise _Dropped(_GENERIC_REASON)
    return _liquid_output(tag, site)


_LINK_REASON = (
    "feeds finds the post only from a plain path, as in {% link _posts/x.md %} or "
    "{% post_url 2024-01-02-x %}; write one, or the post's URL (a link keeps its text)"
)


# --- Hugo -------------------------------------------------------------------------------


def _hugo_shortcode(tag: str) -> str:
    match = _HUGO_SHORTCODE.fullmatch(tag)
    if match is None:
        raise _Dropped(_GENERIC_REASON)
    render = _SHORTCODES.get(match["name"])
    if render is None:
        raise _Dropped(_GENERIC_REASON)
    named, positional = _hugo_params(match["args"])
    return render(named, positional)


def _hugo_params(text: str) -> tuple[dict[str, str], list[str]]:
    """A shortcode's named and positional parameters, read as Hugo's lexer reads them."""
    named: dict[str, str] = {}
    positional: list[str] = []
    position = 0
    while text[position:].strip():
        match = _HUGO_PARAM.match(text, position)
        if match is None or match.end() == position:
            raise _Dropped(
                "its parameters cannot be read (a quote left open?); correct the shortcode"
            )
        if match["quoted"] is not None:
            value = re.sub(r"\\(.)", r"\1", match["quoted"])
        else:
            value = match["raw"] if match["raw"] is not None else match["word"]
        if match["key"] is not None:
            named[match["key"]] = value
        else:
            positional.append(value)
        position = match.end()
    return named, positional


def _hugo_figure(named: dict[str, str], positional: list[str]) -> str:
    """Hugo 0.111's `figure`: its elements and attributes, whitespace aside. The
    caption and `attr` are Markdown (Hugo's `markdownify`), the title is text; a
    caption is the image's `alt` when there is none. Unsafe HTML and URLs are the
    sanitizer's to remove, as in any post."""
    src = named.get("src")
    if positional or not src:
        raise _Dropped(
            'Hugo\'s figure takes named parameters and needs src; write {{< figure src="..." >}}'
        )
    caption = _markdownify(named.get("caption", ""))
    attr = _markdownify(named.get("attr", ""))
    alt = named.get("alt") or _plain(caption)
    image = f'<img src="{_attr(src)}"'
    if alt:
        image += f' alt="{_attr(alt)}"'
    for key in ("width", "height"):
        if named.get(key):
            image += f' {key}="{_attr(named[key])}"'
    image += "/>"
    if named.get("link"):
        extra = "".join(
            f' {key}="{_attr(named[key])}"' for key in ("target", "rel") if named.get(key)
        )
        image = f'<a href="{_attr(named["link"])}"{extra}>{image}</a>'
    figcaption = ""
    if named.get("title"):
        figcaption += f"<h4>{escape(named['title'])}</h4>"
    if caption or attr:
        if attr and named.get("attrlink"):
            attr = f'<a href="{_attr(named["attrlink"])}">{attr}</a>'
        figcaption += "<p>" + " ".join(part for part in (caption, attr) if part) + "</p>"
    css = f' class="{_attr(named["class"])}"' if named.get("class") else ""
    caption_html = f"<figcaption>{figcaption}</figcaption>" if figcaption else ""
    return f"<figure{css}>{image}{caption_html}</figure>"


def _hugo_video(
    site_name: str, id_pattern: re.Pattern[str], page: str, thumbnail: str | None
) -> Callable[[dict[str, str], list[str]], str]:
    """`youtube`, `vimeo`: Hugo's player is an `<iframe>`, which the sanitizer removes
    (as most feed readers do); a link to the video's page, with YouTube's thumbnail
    (Vimeo's needs its API), shows the reader that a video is there and takes them to
    it. Hugo's `autoplay`, `class` and `loading` concern the player: not used."""

    def render(named: dict[str, str], positional: list[str]) -> str:
        video = named.get("id") or (positional[0] if positional else "")
        if not id_pattern.fullmatch(video):
            raise _Dropped(
                f"{site_name} video ids are {id_pattern.pattern}; write {{{{< "
                f'{site_name.lower()} id="..." >}}}}'
            )
        url = page.format(quote(video))
        title = named.get("title") or f"Watch the video on {site_name}"
        link = f'<a href="{_attr(url)}">{escape(title)}</a>'
        if thumbnail is None:
            return f"<p>{link}</p>"
        image = f'<img src="{_attr(thumbnail.format(quote(video)))}" alt="{_attr(title)}"/>'
        return f'<figure><a href="{_attr(url)}">{image}</a><figcaption>{link}</figcaption></figure>'

    return render


_SHORTCODES: dict[str, Callable[[dict[str, str], list[str]], str]] = {
    "figure": _hugo_figure,
    "youtube": _hugo_video(
        "YouTube",
        _YOUTUBE_ID,
        "https://www.youtube.com/watch?v={}",
        "https://i.ytimg.com/vi/{}/hqdefault.jpg",
    ),
    "vimeo": _hugo_video("Vimeo", _VIMEO_ID, "https://vimeo.com/{}", None),
}


def _hugo_highlight(arguments: str, code: str) -> str:
    """Hugo 0.111's `highlight`: Chroma's block, its inline colours and line numbers
    (`linenos`, `hl_lines`) left out; the code without its first and last newlines."""
    try:
        _, positional = _hugo_params(arguments)
    except _Dropped:
        positional = []
    language = positional[0].lower() if positional else ""
    css = f' class="language-{_attr(language)}" data-lang="{_attr(language)}"' if language else ""
    code = _code(code.strip("\r\n"))
    return f'<div class="highlight"><pre tabindex="0"><code{css}>{code}</code></pre></div>'


# --- Liquid -----------------------------------------------------------------------------


def _liquid_output(tag: str, site: _Site) -> str:
    """`{{ site.url }}`, `{{ site.baseurl }}`, `{{ site.name }}` (from `variables`),
    `{{ "/x" | relative_url }}` and `absolute_url`, as Jekyll 4.3 writes them; any
    other `{{ ... }}` is dropped."""
    match = _LIQUID_OUTPUT.fullmatch(tag)
    value = _LIQUID_VALUE.fullmatch(match["expr"]) if match is not None else None
    if value is None or LIQUID not in site.dialects or site.origin is None:
        raise _Dropped(_GENERIC_REASON)
    if value["variable"] == "url":
        path = site.origin
    elif value["variable"] == "baseurl":
        path = site.base_path
    elif value["variable"] is not None:
        path = _site_variable(value["variable"], site.variables)
    else:
        path = value["double"] if value["double"] is not None else value["single"]
    if value["filter"] is None or urlsplit(path).scheme:
        return path  # a filter leaves an absolute URL as it is
    relative = site.base_path + ("/" + path.lstrip("/") if path else "")
    return site.origin + relative if value["filter"] == "absolute_url" else relative


def is_computed_site_variable(name: str) -> bool:
    """Whether `site.<name>` is one Jekyll computes from the whole site, not a setting."""
    return name in _JEKYLL_COMPUTED


def _site_variable(name: str, variables: Mapping[str, Any]) -> str:
    """`site.<name>` as Liquid writes it: text as it is, a list's items one after
    another; `_Dropped` when the site's configuration does not give it."""
    head, *rest = name.split(".")
    if is_computed_site_variable(head):
        raise _Dropped(f"site.{head} is computed by Jekyll from the whole site; {_GENERIC_REASON}")
    value: Any = variables
    for part in (head, *rest):
        if not isinstance(value, Mapping) or part not in value:
            raise _Dropped(
                f"site.yaml's site_variables has no {name}; add {part}: <its value> there "
                "(feeds init --from copies those _config.yml sets), or remove the tag"
            )
        value = value[part]
    return _liquid_text(value, name)


def _liquid_text(value: Any, name: str) -> str:
    if isinstance(value, Mapping):
        raise _Dropped(f"site.{name} is a mapping; name one of its values, as site.{name}.key")
    if isinstance(value, list):
        return "".join(_liquid_text(item, name) for item in value)
    return str(value)


def _jekyll_highlight(arguments: str, code: str) -> str:
    """Jekyll 4.3's `highlight` block, Rouge's colour classes left out; with `linenos`,
    Rouge's table of line numbers and code. The language is lower-case, and without
    quotes (Eleventy's syntax highlighting plugin writes `{% highlight "js" %}`)."""
    words = arguments.strip().rstrip("-").split()
    language = words[0].strip("\"'").lower() if words else ""
    css = f' class="language-{_attr(language)}" data-lang="{_attr(language)}"' if language else ""
    code = code.strip("\r\n")
    if any(word.split("=")[0] == "linenos" for word in words[1:]):
        numbers = "".join(f"{number}\n" for number in range(1, code.count("\n") + 2))
        inside = (
            '<table class="rouge-table"><tbody><tr><td class="gutter gl">'
            f'<pre class="lineno">{_code(numbers)}</pre></td>'
            f'<td class="code"><pre>{_code(code + chr(10))}</pre></td></tr></tbody></table>'
        )
    else:
        inside = _code(code)
    return f'<figure class="highlight"><pre><code{css}>{inside}</code></pre></figure>'


# --- HTML -------------------------------------------------------------------------------


def _attr(value: str) -> str:
    """An attribute value, on one line."""
    return escape(value, quote=True).replace("\n", "&#10;")


def _code(text: str) -> str:
    """Code as HTML text, its newlines as `&#10;`: the block stays on one line."""
    return escape(text, quote=False).replace("\n", "&#10;")


def _markdownify(text: str) -> str:
    """Hugo's `markdownify`: one paragraph loses its `<p>`; raw HTML is left out
    (Hugo's default), as cmark's safe mode does, with unsafe link schemes."""
    if not text.strip():
        return ""
    html = cmarkgfm.markdown_to_html(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html.replace("\n", " ")


def _plain(html: str) -> str:
    """The text of Hugo's `markdownify | plainify`, for an image's `alt`."""
    return " ".join(unescape(re.sub(r"<[^>]*>", "", html)).split())
