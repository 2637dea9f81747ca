"""HTML fragments in CAP text fields, reduced to plain text.

Real feeds put `<br/>`, `&nbsp;` and `<a href>` into headline, description, web ... (quirk 6).
The stele must never hand such text to a rich-text renderer, so the parser stores plain text.
Everything here runs in linear time on any input and never raises.
"""

from __future__ import annotations

import html
import re

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
