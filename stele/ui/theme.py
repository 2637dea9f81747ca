"""The selected theme pack as a QML object: Main binds it into the `Theme` singleton.

Colours, the font family and the emergency numbers come from the pack; every size stays in
Theme.qml (letter heights follow the panel, not the city). Font files the pack ships are
loaded into Qt's font database first, and a family Qt does not know is a theme error: Qt
would otherwise draw a substitute without a word.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Property, QObject
from PySide6.QtGui import QFontDatabase
from PySide6.QtQml import QmlElement, QmlUncreatable

from stele.config.render import _toml_value
from stele.config.theme import ThemePack
from stele.config.themes import THEME_FILE, Theme, ThemeLoadError

QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0


@QmlElement
@QmlUncreatable("the application creates the theme and hands it over with the bridge")
class CityTheme(QObject):  # type: ignore[operator]  # QmlUncreatable: a class in the stubs
    """A theme pack's colours (as "#rrggbb"), font family and emergency numbers."""

    def __init__(self, pack: ThemePack | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pack = pack or ThemePack()

    @Property(str, constant=True)
    def background(self) -> str:
        return self.pack.colors.background

    @Property(str, constant=True)
    def backgroundDeep(self) -> str:
        return self.pack.colors.background_deep

    @Property(str, constant=True)
    def surface(self) -> str:
        return self.pack.colors.surface

    @Property(str, constant=True)
    def surfaceHigh(self) -> str:
        return self.pack.colors.surface_high

    @Property(str, constant=True)
    def text(self) -> str:
        return self.pack.colors.text

    @Property(str, constant=True)
    def textMuted(self) -> str:
        return self.pack.colors.text_muted

    @Property(str, constant=True)
    def accent(self) -> str:
        return self.pack.colors.accent

    @Property(str, constant=True)
    def accentText(self) -> str:
        return self.pack.colors.accent_text

    @Property(str, constant=True)
    def fontFamily(self) -> str:
        return self.pack.fonts.family

    @Property("QVariantList", constant=True)  # type: ignore[arg-type]
    def emergencyNumbers(self) -> list[Any]:
        """[{label, number}, ...] in the pack's order."""
        return [{"label": e.label, "number": e.number} for e in self.pack.emergency]


def install_fonts(theme: Theme) -> None:
    """Load the pack's font files and check its family exists; raise ThemeLoadError.

    Needs the QGuiApplication. Qt keeps application fonts for the process's life."""
    path = theme.directory / THEME_FILE
    errors: list[str] = []
    for i, (file, named) in enumerate(zip(theme.font_files, theme.pack.fonts.files, strict=True)):
        if QFontDatabase.addApplicationFont(str(file)) < 0:
            errors.append(
                f"{path}: fonts.files[{i}] = {_toml_value(named)} — not a font Qt can load"
            )
    family = theme.pack.fonts.family
    if not errors and family not in QFontDatabase.families():
        errors.append(
            f"{path}: fonts.family = {_toml_value(family)} — no such font on this stele; "
            "ship its files in the pack (fonts.files) or install them"
        )
    if errors:
        raise ThemeLoadError(errors)
