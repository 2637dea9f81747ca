"""HTML fragments in CAP text fields, reduced to plain text.

Real feeds put `<br/>`, `&nbsp;` and `<a href>` into headline, description, web ... (quirk 6).
The stele must never hand such text to a rich-text renderer, so the parser stores plain text.
Everything here runs in linear time on any input and never raises.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata

# A tag starts with a letter (or "/" and a letter); "<160 km/h" or "a < b" is text, not a tag.
# The attribute part stops at the next "<", so an unclosed tag cannot make the scan quadratic.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
# Tags that end a line when the fragment is shown as plain text.
_BLOCK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HREF = re.compile(r"""<a\s[^<>]*?href\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>]+))""", re.I)
# Control characters (other than newline/tab) and exotic spaces: normalised before collapsing.
_CONTROLS = (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)
_CLEAN: dict[int, str | None] = dict.fromkeys(_CONTROLS)
_CLEAN.update({c: " " for c in (0x09, 0xA0, 0x2007, 0x202F, 0x200B)})


def _tag_replacement(match: re.Match[str]) -> str:
    return "\n" if match.group(2).lower() in _BLOCK_TAGS else ""


def _drop_comments(s: str) -> str:
    # str.find instead of a lazy regex: many unclosed "<!--" must not cost quadratic time.
    parts: list[str] = []
    pos = 0
    while True:
        start = s.find("<!--", pos)
        if start < 0:
            parts.append(s[pos:])
            break
        parts.append(s[pos:start])
        end = s.find("-->", start + 4)
        if end < 0:
            break  # an unclosed comment swallows the rest, as in a browser
        pos = end + 3
    return "".join(parts)


def _collapse(s: str) -> str:
    """Collapse runs of spaces, strip every line, keep at most one empty line in a row."""
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_CLEAN)
    lines: list[str] = []
    blank = True  # drops leading empty lines
    for raw_line in s.split("\n"):
        line = " ".join(raw_line.split())
        if line:
            lines.append(line)
            blank = False
        elif not blank:
            lines.append("")
            blank = True
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def plain_text(s: str) -> str:
    """Plain text of an HTML fragment: `<br>`/`<p>` become line breaks, other tags are dropped
    (`<a href="x">label</a>` keeps `label`), entities are decoded, runs of spaces collapse."""
    if not isinstance(s, str):
        return "" if s is None else plain_text(str(s))
    if "<" in s:
        if "<!--" in s:
            s = _drop_comments(s)
        s = _TAG.sub(_tag_replacement, s)
    if "&" in s:
        s = html.unescape(s)
    return _collapse(s)


def link_url(s: str) -> str:
    """The URL of a `web` field: the href of its first `<a>` if it has one (LHP sends
    `<a href="https://...">label</a>`), else the field as plain text."""
    if not isinstance(s, str):
        return "" if s is None else link_url(str(s))
    if "<" in s:
        match = _HREF.search(s)
        if match:
            url = next(g for g in match.groups() if g is not None)
            return "".join(html.unescape(url).split())  # a wrapped URL must stay one URL
    return plain_text(s)


# -- bounding and breaking alert text for the glass ---------------------------------------------

ELLIPSIS = "\u2026"
SOFT_HYPHEN = "\u00ad"
# A cut is made at a space when that keeps at least this share of the limit; otherwise the
# "word" is a run of thousands of letters (hostile or broken input) and is cut inside.
_KEEP_AT_SPACE = 0.5
# Punctuation that would dangle before the ellipsis ("steigt,…").
_DANGLING = " \t\n,;:.-\u2013\u2014/"
# Joiners and selectors that belong to the character before them.
_JOINERS = frozenset({0x200C, 0x200D, 0x034F, *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400)})


def _attaches_to_previous(ch: str) -> bool:
    """`ch` continues the grapheme before it: a combining mark, joiner, selector, skin tone
    or the low half of a surrogate pair (lone surrogates survive a lenient JSON decode)."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or code in _JOINERS
        or 0xE0100 <= code <= 0xE01EF
        or 0xDC00 <= code <= 0xDFFF
    )


def _grapheme_cut(s: str, cut: int) -> int:
    """The largest index <= `cut` that does not split a character sequence that is drawn as
    one (base letter + combining marks, emoji joined by ZWJ, surrogate pair)."""
    while cut > 0 and (_attaches_to_previous(s[cut]) or ord(s[cut - 1]) == 0x200D):
        cut -= 1
    return cut


def bounded(s: str, limit: int) -> str:
    """`s` if it has at most `limit` characters; else its start, cut at a space, with "…".

    The result has at most `limit` characters (the ellipsis included). A cut falls at the last
    space that keeps at least half of the limit, so no word is cut; only a single "word" longer
    than half the limit is cut inside, and then never within a combining sequence or an emoji.
    Linear in `limit`, whatever the length of `s`.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(s) <= limit:
        return s
    room = limit - 1  # for the ellipsis
    cut = room
    floor = int(room * _KEEP_AT_SPACE)
    while cut > floor and not s[cut].isspace():
        cut -= 1
    if cut <= floor:  # no space late enough: cut inside the run, between graphemes
        cut = _grapheme_cut(s, room)
    return s[:cut].rstrip(_DANGLING) + ELLIPSIS


# Hyphenation for the glass: a soft hyphen (U+00AD) marks where a long word may break; Qt
# draws it as "-" only where it breaks a line. The rule is the German school rule, which serves
# the other Latin and Cyrillic languages alerts arrive in well enough: a break goes between
# two vowels, before the longest run of the consonants between them that can start a syllable
# ("Was-ser", "Über-schwem-mung", "Brü-cken-stra-ße"); ch, ck, ph, sch, th, qu are one sound.
# Without a dictionary a compound may break off its seam ("Feuer-weh-rein-satz"): still a
# hyphen at a syllable, never a word torn apart without one. Vowel pairs stay together, and
# scripts that are not hyphenated (Arabic, Hebrew, CJK ...) have no vowels here: untouched.
_VOWELS = frozenset("aeiouyäöüáàâãåæéèêëíìîïıóòôõøœúùûůűāēīōūăąęěőаеёиоуыэюяіїєѣ")
_UNITS = ("sch", "ch", "ck", "ph", "th", "qu")
_ONSETS = frozenset(
    {
        *"bcdfghjklmnpqrstvwxzß",
        *_UNITS,
        "bl",
        "br",
        "chr",
        "dr",
        "fl",
        "fr",
        "gl",
        "gr",
        "kl",
        "kn",
        "kr",
        "pf",
        "pfl",
        "pfr",
        "pl",
        "pr",
        "schl",
        "schm",
        "schn",
        "schr",
        "schw",
        "sp",
        "spl",
        "spr",
        "st",
        "str",
        "tr",
        "wr",
        "zw",
    }
)
HYPHENATE_FROM = 10  # letters; shorter words fit a line at every size the theme uses
_LONG_WORD = re.compile(rf"[^\W\d_]{{{HYPHENATE_FROM},}}")
_MIN_LEFT = 3
_MIN_RIGHT = 3
# Links and addresses are copied by readers: a hyphen inside would change them.
_NO_HYPHENS = re.compile(r"://|www\.|@|\.[a-z]{2,4}(?:/|$)", re.IGNORECASE)


def _consonant_units(word: str, start: int, end: int) -> list[int]:
    """Start indices of the consonant units in word[start:end] ("sch" is one unit)."""
    units = []
    i = start
    while i < end:
        units.append(i)
        i += next((len(u) for u in _UNITS if word.startswith(u, i) and i + len(u) <= end), 1)
    return units


def _break_points(word: str) -> list[int]:
    low = word.lower()
    vowel = [c in _VOWELS for c in low]
    points = []
    n = len(low)
    i = 0
    while i < n:
        if not vowel[i]:
            i += 1
            continue
        j = i + 1
        while j < n and not vowel[j]:  # the consonants after this vowel
            j += 1
        if j < n and j > i + 1:  # consonants between two vowels: break before the onset
            units = _consonant_units(low, i + 1, j)
            point = next((u for u in units if low[u:j] in _ONSETS), units[-1])
            if point >= _MIN_LEFT and n - point >= _MIN_RIGHT:
                points.append(point)
        i = j
    return points


def _hyphenate_word(match: re.Match[str]) -> str:
    word = match.group(0)
    cuts = [0, *_break_points(word), len(word)]
    return SOFT_HYPHEN.join(word[a:b] for a, b in itertools.pairwise(cuts))


def soft_hyphens(s: str) -> str:
    """`s` with soft hyphens where its long words (HYPHENATE_FROM letters or more) may break.

    Only runs of letters are touched, and only between two letters, so a combining mark or a
    number is never split; links and e-mail addresses are left whole. Removing every U+00AD
    gives `s` back. Linear time.
    """
    return "".join(
        _LONG_WORD.sub(_hyphenate_word, t)
        if len(t) >= HYPHENATE_FROM and not _NO_HYPHENS.search(t)
        else t
        for t in re.split(r"(\s+)", s)
    )
