"""Template text in post bodies: Liquid (Jekyll, Eleventy) and Hugo shortcodes.

A generator runs these before Markdown; `feeds` cannot, and must not publish
`{% include ... %}` as text either. So, outside code only:

- `{% raw %}...{% endraw %}` keeps its inside, as the generator shows it;
- `{% highlight lang %}` (and Hugo's `{{< highlight lang >}}`) becomes a fenced code block;
- `{% comment %}...{% endcomment %}` is dropped silently: it was never shown;
- `{{ site.url }}` and `{{ site.baseurl }}` are dropped silently: what follows them
  is a root-relative link, which `content` resolves against the site's `url`;
- so are closing tags (`{% endfor %}`, `{{< /note >}}`: their opening tag was warned
  about) and a `{% raw %}` whose `{% endraw %}` is past a code block (the code stays);
- any other tag is dropped, with a warning naming the line.

Inside fenced and indented code blocks and code spans the text stays literal:
that is where posts show template syntax on purpose. Pure: text in, text and
warnings out.
"""

from __future__ import annotations

import re

MARKERS = ("{%", "{{")
"""A body without these has no template text, and is returned as it is."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TAG = r"-?\s*{}\s*-?"
_TOKEN = re.compile(
    r"(?P<span>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))"
    r"|\{%" + _TAG.format("raw") + r"%\}(?P<raw>.*?)\{%" + _TAG.format("endraw") + r"%\}"
    r"|\{%" + _TAG.format("comment") + r"%\}.*?\{%" + _TAG.format("endcomment") + r"%\}"
    r"|\{%-?\s*highlight\b\s*(?P<lang>[^\s%]*)[^%]*%\}[ \t]*\n?"
    r"(?P<code>.*?)\{%" + _TAG.format("endhighlight") + r"%\}"
    r"|\{\{[<%]\s*highlight\b\s*(?P<hlang>[^\s>%]*)[^}]*[>%]\}\}[ \t]*\n?"
    r"(?P<hcode>.*?)\{\{[<%]\s*/highlight\s*[>%]\}\}"
    r"|(?P<tag>\{\{[<%].{0,2000}?[>%]\}\}|\{%.{0,2000}?%\}|\{\{.{0,2000}?\}\})",
    re.DOTALL,
)
_SILENT = re.compile(
    r"\{\{-?\s*site\.(?:base)?url\s*-?\}\}"
    r"|\{%-?\s*(?:end\w+|raw)\s*-?%\}"
    r"|\{\{[<%]\s*/[^{}]*[>%]\}\}"
)
_SHOWN = 60


def strip_templates(
    body: str, first_line: int = 1, markdown: bool = True
) -> tuple[str, list[tuple[int, str]]]:
    """The body without template text, and `(line, message)` for each tag dropped.

    `first_line` is the file's line the body starts on, so warnings point into the
    file. An HTML body (`markdown=False`) has no Markdown code blocks.
    """
    if not has_template_text(body):
        return body, []
    out: list[str] = []
    warnings: list[tuple[int, str]] = []
    blocks = _blocks(body, first_line) if markdown else [(False, body, first_line)]
    for is_code, text, line in blocks:
        out.append(text if is_code else _strip_text(text, line, warnings))
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


def _strip_text(text: str, first_line: int, warnings: list[tuple[int, str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["span"] is not None:
            return match[0]
        if match["raw"] is not None:
            return match["raw"]
        code = match["code"] if match["code"] is not None else match["hcode"]
        if code is not None:
            fence = "~~~~" if "```" in code else "```"
            language = match["lang"] or match["hlang"] or ""
            return f"{fence}{language}\n{code.rstrip()}\n{fence}\n"
        if match["tag"] is not None and not _SILENT.fullmatch(match["tag"]):
            shown = " ".join(match["tag"].split())
            if len(shown) > _SHOWN:
                shown = shown[: _SHOWN - 1] + "…"
            warnings.append(
                (
                    first_line + text.count("\n", 0, match.start()),
                    f"template tag {shown} was left out of the feed: only the site's "
                    "generator can run it; write its output as Markdown or HTML, or put "
                    "it in `code` to show it",
                )
            )
        return ""

    return _TOKEN.sub(replace, text)
