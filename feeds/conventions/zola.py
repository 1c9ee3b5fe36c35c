"""Zola's page URLs and its feeds' entry ids, as Zola 0.22 computes them.

The rules follow Zola's source (getzola/zola at 0.22: `components/content/src/page.rs`
`Page::parse`, `file_info.rs`, `components/utils/src/slugs.rs`,
`components/config/src/config/mod.rs` `make_permalink`, and the built-in `atom.xml`
and `rss.xml`) and were checked against Zola 0.22.0's own builds (the values in
tests/test_links_zola.py). The rules:

- A page's URL path is front matter's `path:` (trimmed, a leading and a trailing `/`
  added), else the folders between `content` and the file as they are named (not
  slugified; transparent and nested sections alike), then the page's slug, then `/`.
- The slug is front matter's `slug:`, else the file name after a leading date
  (`base.ZOLA_DATED_NAME`), else the whole file name; an `index.md` is named by its folder,
  which then is not a section folder. The slug is made by `[slugify] paths` (`on`,
  the default: the `slug` crate, lower-case ASCII, its values in the tests run with
  the crate itself; `safe`: only `<>:"/\\|?*` and trailing spaces and dots removed,
  spaces kept, though Zola's documentation says they are replaced; `off`: as
  written); site.yaml's `permalink` names it (`STRATEGIES`).
- The permalink is `base_url` and the path joined as text: no percent-encoding
  (feeds' link percent-encodes it, so that a feed may carry it).
- The Atom `<id>` and the RSS `<guid>` are the page's permalink.

Not followed: file names with a language (`hello.fr.md` on a site with
`languages`), which Zola serves below `/fr/`; `slugify.paths_keep_dates`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..text.fields import FieldError
from .base import ZOLA_DATED_NAME

if TYPE_CHECKING:
    from ..config import SiteConfig
    from .base import PostFacts

DEFAULT = "default"
"""site.yaml's `permalink` under Zola when it names no strategy: `on`, Zola's default."""
STRATEGIES = ("on", "safe", "off")
"""Zola's `[slugify] paths`, the one setting of its URL rule: site.yaml's `permalink`
under Zola is one of them (or `default`), as `feeds init --from` writes it."""
_URL_SAFE = "/:!$%&'()*+,;=@[]^|~"
"""Left as they are in the link: ASCII but controls, space and `"<>`{}`, as WHATWG URL,
and but `?` and `#`, which in a file name (`C#.md` under `slugify.paths = "off"`) are
part of the page's path, not a query or fragment: the link reaches the page."""


# What `deunicode` gives the characters of U+00A0-U+036F, U+1E00-U+1EFF and
# U+2000-U+206F where that differs, once slugified, from their accents dropped
# (NFKD): `ß` is `ss`, `æ` `ae`, `ø` `o`, a dash a separator. Derived from
# deunicode's table by comparing the two for every character of those ranges.
_DEUNICODE_GROUPS = {
    "-": "\xa1\xa4\xa6\xab\xac\xb1\xb7\xbb\xbf\xf7\u018f\u01c0\u01c1\u01c2\u01c3\u01dd"
    "\u0241\u0242\u0245\u0259\u025a\u028c\u0294\u0295\u0296\u0298\u02a1\u02a2\u02ad"
    "\u02b9\u02ba\u02bb\u02bc\u02bd\u02be\u02bf\u02c0\u02c1\u02c2\u02c3\u02c4\u02c6"
    "\u02c8\u02c9\u02ca\u02cb\u02cc\u02cd\u02ce\u02cf\u02d0\u02d1\u02d2\u02d3\u02d4"
    "\u02d6\u02d7\u02e4\u02ea\u02eb\u02ed\u02ee\u02f0\u02f1\u02f2\u02f4\u02f5\u02f6"
    "\u02f7\u02f8\u02f9\u02fa\u02fb\u02fc\u02fd\u02fe\u02ff\u034f\u0350\u0351\u0352"
    "\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a\u035b\u035c\u035d\u035e\u035f"
    "\u200b\u2010\u2011\u2012\u2013\u2014\u2015\u2016\u2018\u2019\u201a\u201b\u201c"
    "\u201d\u201e\u201f\u2020\u2021\u2022\u2023\u2027\u2028\u2029\u2032\u2033\u2034"
    "\u2035\u2036\u2037\u2038\u2039\u203a\u203b\u203d\u203f\u2040\u2041\u2042\u2043"
    "\u2044\u2045\u2046\u204c\u204d\u204e\u204f\u2050\u2051\u2052\u2053\u2054\u2055"
    "\u2056\u2057\u2058\u2059\u205a\u205b\u205c\u205d\u205e\u2060\u2061\u2062\u2063"
    "\u2064\u2065\u2066\u2067\u2068\u2069",
    "c-": "¢",
    "ps": "£",
    "y-": "¥",
    "ss": "§ßẞ",
    "-c-": "©",
    "-r-": "®",
    "deg": "°",
    "u": "\xb5\u0244\u0264\u0289\u028a\u0367",
    "p": "¶Ƥƥ",
    "1-4": "¼",
    "1-2": "½",
    "3-4": "¾",
    "ae": "ÆæǢǣǼǽ",
    "d": "\xd0\xf0\u0110\u0111\u0189\u018a\u018b\u018c\u018d\u0221\u0256\u0257\u0369\u1e9f",
    "x": "\xd7\u02df\u036f",
    "o": "\xd8\xf8\u0186\u019f\u01fe\u01ff\u0254\u0275\u0277\u02f3\u0366",
    "th": "Þþ",
    "h": "\u0126\u0127\u0266\u0267\u029c\u02ae\u02af\u02b1\u036a",
    "i": "\u0131\u0196\u0197\u0268\u0269\u026a\u0365",
    "k": "ĸƘƙʞ",
    "l": "ŁłƚƛȴȽɫɬɭʟ",
    "-n": "ŉ",
    "ng": "Ŋŋ",
    "oe": "Œœɶ",
    "t": "\u0166\u0167\u01ab\u01ac\u01ad\u01ae\u0236\u023e\u0287\u0288\u036d",
    "b": "ƀƁƂƃɃɓʙ",
    "6": "Ƅƅ",
    "c": "\u0187\u0188\u023b\u023c\u0255\u0297\u0368",
    "3": "Ǝ˧",
    "e": "\u0190\u0246\u0247\u0258\u025b\u025c\u025d\u025e\u029a\u0364",
    "f": "Ƒƒɸ",
    "g": "ƓƔǤǥɠɡɢɣʛˠ",
    "hv": "ƕǶ",
    "w": "ƜƿǷɯɰʍ",
    "n": "ƝƞȠȵɲɳɴ",
    "oi": "Ƣƣ",
    "yr": "Ʀ",
    "2": "Ƨƨƻ˨",
    "sh": "Ʃƪ",
    "y": "ƱƳƴȜȝɎɏɥʎʏỾỿ",
    "v": "\u01b2\u028b\u02c5\u02c7\u02d5\u02d8\u02ec\u02ef\u036e\u1efc\u1efd",
    "z": "ƵƶȤȥɀʐʑʒʓ",
    "zh": "ƷƸƹƺǮǯ",
    "5": "Ƽƽ˥",
    "ts": "ƾʦʧ",
    "ou": "Ȣȣ",
    "j": "ȷɈɉɟʄʝ",
    "db": "ȸ",
    "qp": "ȹ",
    "a": "\u023a\u0250\u0251\u0252\u0363",
    "s": "ȿʂʃʅʆẜẝ",
    "q": "Ɋɋʠ",
    "r": "\u024c\u024d\u0279\u027a\u027b\u027c\u027d\u027e\u027f\u0280\u0281\u02b4\u02b5\u02b6"
    "\u02de\u036c",
    "lz": "ɮʫ",
    "m": "\u0271\u036b",
    "dz": "ʣʤʥ",
    "tc": "ʨ",
    "fn": "ʩ",
    "ls": "ʪ",
    "ww": "ʬ",
    "4": "˦",
    "1": "˩",
    "ll": "Ỻỻ",
    "-0": "‰",
    "-00": "‱",
    "7": "⁊",
    "pp": "⁋",
}
_DEUNICODE = {char: ascii for ascii, chars in _DEUNICODE_GROUPS.items() for char in chars}


def _known(char: str) -> bool:
    """Whether `_DEUNICODE` and NFKD together give deunicode's answer for `char`."""
    code = ord(char)
    return 0xA0 <= code < 0x370 or 0x1E00 <= code < 0x1F00 or 0x2000 <= code < 0x2070


def slug_crate(text: str) -> str:
    """The `slug` crate's `slugify`: every character to ASCII by `deunicode`, then
    ASCII letters and digits kept (lower-cased), every run of anything else one
    hyphen, none at either end. Exact for ASCII and the Latin ranges of `_known`; any
    other character (Greek, Cyrillic, CJK: deunicode spells them, `日本` is `ri-ben`)
    is dropped here like punctuation, so such a name needs `slug:` or `path:`."""
    out: list[str] = []
    dash = True  # no hyphen first
    for char in text:
        if char.isascii():
            spelled = char
        elif char in _DEUNICODE:
            spelled = _DEUNICODE[char]
        else:
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            spelled = folded if folded or _known(char) else "-"
        for letter in spelled:
            if "a" <= letter <= "z" or "0" <= letter <= "9":
                out.append(letter)
                dash = False
            elif "A" <= letter <= "Z":
                out.append(letter.lower())
                dash = False
            elif not dash:
                out.append("-")
                dash = True
    return "".join(out).removesuffix("-")


def slugify_paths(text: str, strategy: str = "on") -> str:
    """Zola's `slugify_paths` under `slugify.paths = strategy`."""
    if strategy == "on":
        return slug_crate(text)
    if strategy == "safe":  # `strip_invalid_paths_chars`: NTFS's forbidden characters
        return re.sub(r'[<>:"/\\|?*]', "", text.rstrip(" ."))
    return text


def _given(post: PostFacts, key: str) -> str | None:
    located = post.values.get(key)
    value = located.value if located is not None else None
    return value if isinstance(value, str) else None


def _site_root(config: SiteConfig) -> PurePath:
    return PurePath(config.path).parent


def _components(config: SiteConfig, folder: PurePath) -> list[str]:
    """The folders after the first `content` below the site's root (Zola's
    `find_content_components`); without one, those below the posts folder's parent."""
    try:
        parts = list(folder.relative_to(_site_root(config)).parts)
    except ValueError:
        parts = list(folder.parts)
    if "content" in parts:
        return parts[parts.index("content") + 1 :]
    try:
        return list(folder.relative_to(PurePath(config.posts_dir).parent).parts)
    except ValueError:
        return []


def page_path(config: SiteConfig, post: PostFacts, strategy: str = "on") -> str:
    """The page's URL path, from `/` to its trailing `/` (`Page::parse`)."""
    given = _given(post, "path")
    if given is not None:
        path = given.strip()
        path = path if path.startswith("/") else "/" + path
        return path if path.endswith("/") else path + "/"
    source = PurePath(post.source)
    name = source.stem
    components = _components(config, source.parent)
    if components and name.split(".")[0] == "index":
        components.pop()  # an asset folder: the page, not a section
    for_slug = source.parent.name if name == "index" else name
    dated = ZOLA_DATED_NAME.match(for_slug)
    written = _given(post, "slug")
    if written is None:
        written = dated["slug"] if dated is not None and dated["slug"] else for_slug
    slug = slugify_paths(written, strategy)
    path = "/" + ("/".join(components) + "/" + slug if components else slug)
    return path if path.endswith("/") else path + "/"


class ZolaLinks:
    ugly_urls = False
    default = DEFAULT

    def parse(self, key: str, written: str) -> str:
        """Zola has no pattern: `permalink` names the slug strategy (`STRATEGIES`)."""
        if written == DEFAULT or written in STRATEGIES:
            return written
        raise FieldError(
            f"'{key}' cannot be {written!r}: Zola has no permalink pattern, a page's URL "
            "is its section's path and its slug (or its 'path'); write Zola's [slugify] "
            "paths (on, safe or off), or remove 'permalink' for its default, or write "
            "feeds' own form like /blog/{slug}/"
        )

    def permalink(self, config: SiteConfig, post: PostFacts) -> str:
        """`page.permalink`: the site's URL and the path joined as text. A site.yaml in
        feeds' own syntax names no strategy: its ids are made with Zola's default."""
        strategy = config.permalink if config.permalink in STRATEGIES else "on"
        return config.url + page_path(config, post, strategy)[1:]

    def link(self, config: SiteConfig, post: PostFacts) -> str:
        # The same URL, but one a feed may carry: a section folder's space, or a
        # `safe` slug's letters beyond ASCII, percent-encoded as a browser sends them.
        return quote(self.permalink(config, post), safe=_URL_SAFE)

    def entry_id(self, config: SiteConfig, post: PostFacts, link: str) -> str:
        # atom.xml: <id>{{ page.permalink }}</id>; rss.xml: <guid> the same, as text,
        # whatever link feeds gives the post (site.yaml's `{slug}` form, `link:`).
        return self.permalink(config, post)
