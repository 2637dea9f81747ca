"""A theme pack's `theme.toml`: a city's colours, font, logo, name and emergency numbers.

Strict like the configuration (unknown keys are errors, one readable line per problem). The
defaults are the neutral look, so a pack names only what it changes. Alert colours are not
part of a theme: a warning must look the same in every city.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="forbid")
# Read from metres away, in daylight: WCAG's enhanced (AAA) contrast for body text.
MIN_CONTRAST = 7.0


def _colour(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.lower()
    raise ValueError('expected a colour "#rrggbb" (six hex digits, no alpha), e.g. "#0b2545"')


def _relative_file(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    parts = text.replace("\\", "/").split("/")
    if not text or text.startswith("/") or ".." in parts:
        raise ValueError('expected a file name inside the theme\'s folder, e.g. "logo.svg"')
    return text


def _phone_number(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"[0-9][0-9 ]{1,15}", value):
        return value
    raise ValueError('expected a number of digits and spaces in quotes, e.g. "112" or "116 117"')


Colour = Annotated[str, BeforeValidator(_colour)]
PackFile = Annotated[str, BeforeValidator(_relative_file)]


class ThemeColours(BaseModel):
    """The everyday screens' colours (the QML Theme's names in snake case)."""

    model_config = _FROZEN
    background: Colour = "#0b2545"  # the slides
    background_deep: Colour = "#071a33"  # the clock header, technician screens
    surface: Colour = "#13315c"  # the emergency-number band
    surface_high: Colour = "#1d4274"  # raised cards: carries `text` only
    text: Colour = "#ffffff"
    text_muted: Colour = "#c5d3e6"  # date, labels
    accent: Colour = "#ffcc33"  # city name, slide titles
    accent_text: Colour = "#0b2545"  # text on an accent plate


# Every text colour on every surface it is drawn on (layouts/Stele). Each pair must reach
# MIN_CONTRAST, or the pack is rejected (stele/config/themes.py).
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("text", "background_deep"),
    ("text", "surface"),
    ("text", "surface_high"),
    ("text_muted", "background"),
    ("text_muted", "background_deep"),
    ("text_muted", "surface"),
    ("accent", "background"),
    ("accent", "background_deep"),
    ("accent", "surface"),
    ("accent_text", "accent"),
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb"."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class ThemeFonts(BaseModel):
    model_config = _FROZEN
    # The x-height is measured from the font (layouts/Stele/Theme.qml), so letter sizes stay
    # legible whatever family a city picks.
    family: str = Field(default="DejaVu Sans", min_length=1)
    # Font files shipped in the pack (TTF/OTF), loaded before the screens.
    files: tuple[PackFile, ...] = ()


class EmergencyNumber(BaseModel):
    model_config = _FROZEN
    label: str = Field(min_length=1, max_length=24)
    number: Annotated[str, BeforeValidator(_phone_number)]


DEFAULT_EMERGENCY = (
    EmergencyNumber(label="Notruf", number="112"),
    EmergencyNumber(label="Polizei", number="110"),
    EmergencyNumber(label="Arzt", number="116 117"),
)


class ThemePack(BaseModel):
    """The validated contents of one `theme.toml`."""

    model_config = _FROZEN
    name: str = Field(default="", max_length=64)  # shown to technicians only
    # The city's name and logo: [display] city / logo in the configuration, when set, win.
    city: str | None = Field(default=None, min_length=1, max_length=80)
    logo: PackFile | None = None  # SVG or PNG inside the pack
    colors: ThemeColours = Field(default_factory=ThemeColours)
    fonts: ThemeFonts = Field(default_factory=ThemeFonts)
    emergency: tuple[EmergencyNumber, ...] = Field(
        default=DEFAULT_EMERGENCY, min_length=1, max_length=4
    )


def contrast_problems(colours: ThemeColours) -> list[str]:
    """One phrase per text/surface pair below MIN_CONTRAST."""
    out: list[str] = []
    for fore, back in CONTRAST_PAIRS:
        a, b = getattr(colours, fore), getattr(colours, back)
        ratio = contrast_ratio(a, b)
        if ratio < MIN_CONTRAST:
            out.append(
                f'colors.{fore} = "{a}" on colors.{back} = "{b}" has contrast '
                f"{ratio:.2f}:1, expected at least {MIN_CONTRAST:g}:1 (read from metres away)"
            )
    return out
