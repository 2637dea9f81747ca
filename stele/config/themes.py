"""Finding and loading a theme pack: `[display] theme` names a folder with a `theme.toml`.

Search order for a name: a city's own packs in /etc/stele/themes/<name>/ first (so a city can
replace a built-in one), then the built-in packs in <layouts>/themes/<name>/ beside the QML
module. An absolute path names the folder itself. Problems come as one line each, like the
configuration's, and name the file a technician has to open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from stele.config.loading import _echo, _explain, _mark, _read_layer
from stele.config.render import _toml_value
from stele.config.theme import ThemePack, contrast_problems
from stele.errors import ConfigError
from stele.layouts import find_layouts

SYSTEM_THEMES = Path("/etc/stele/themes")
THEME_FILE = "theme.toml"
DEFAULT_THEME = "neutral"
DEFAULT_CITY = "Stadt Solingen"


class ThemeLoadError(ConfigError):
    """Every problem found in the selected theme pack, one readable line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Theme:
    """A validated theme pack and the folder its files are in."""

    name: str
    directory: Path
    pack: ThemePack

    @property
    def logo(self) -> Path | None:
        return self.directory / self.pack.logo if self.pack.logo else None

    @property
    def font_files(self) -> tuple[Path, ...]:
        return tuple(self.directory / f for f in self.pack.fonts.files)


def theme_search_path(system: Path = SYSTEM_THEMES) -> list[Path]:
    """Where theme names are looked up, first match wins."""
    layouts = find_layouts()
    return [system, *([layouts / "themes"] if layouts is not None else [])]


def find_theme(name: str, search: Sequence[Path] | None = None) -> Path:
    """The folder of theme `name` (a name or an absolute path)."""
    if Path(name).is_absolute():
        if (Path(name) / THEME_FILE).is_file():
            return Path(name)
        raise ThemeLoadError(
            [f"display.theme = {_toml_value(name)} — no {THEME_FILE} in that folder"]
        )
    places = list(theme_search_path() if search is None else search)
    for place in places:
        if (place / name / THEME_FILE).is_file():
            return place / name
    looked = ", ".join(str(p / name) for p in places)
    raise ThemeLoadError(
        [f"display.theme = {_toml_value(name)} — no theme pack of that name (looked in {looked})"]
    )


def load_theme(name: str = DEFAULT_THEME, search: Sequence[Path] | None = None) -> Theme:
    """Find, read and validate theme `name`; raise ThemeLoadError listing every problem."""
    directory = find_theme(name, search)
    path = directory / THEME_FILE
    errors: list[str] = []
    data = _read_layer(path, errors)
    if data is None:
        raise ThemeLoadError(errors)
    try:
        pack = ThemePack.model_validate(data)
    except ValidationError as exc:
        origin: dict[tuple[object, ...], str] = {}
        _mark((), data, str(path), origin)
        found = [e for e in exc.errors() if not _echo(e)]
        lines = [_explain(e, data, origin, str(path), ThemePack) for e in found]
        raise ThemeLoadError(lines) from None
    errors = [f"{path}: {problem}" for problem in contrast_problems(pack.colors)]
    named = [("logo", pack.logo)] if pack.logo else []
    named += [(f"fonts.files[{i}]", f) for i, f in enumerate(pack.fonts.files)]
    for key, file in named:
        if not (directory / file).is_file():
            errors.append(f"{path}: {key} = {_toml_value(file)} — file not found in {directory}")
    if errors:
        raise ThemeLoadError(errors)
    return Theme(name=pack.name or directory.name, directory=directory, pack=pack)
