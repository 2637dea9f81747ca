"""Theme packs: real folders in a temp dir standing in for /etc/stele/themes, the built-in
packs from layouts/themes, one readable line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stele.config import load_config
from stele.config.theme import (
    CONTRAST_PAIRS,
    MIN_CONTRAST,
    ThemeColours,
    ThemePack,
    contrast_ratio,
)
from stele.config.themes import ThemeLoadError, find_theme, load_theme, theme_search_path
from stele.errors import ConfigError
from stele.layouts import find_layouts

BUILTIN = Path(__file__).resolve().parents[2] / "layouts" / "themes"
DEVICE = '[device]\nid = "solingen-1"\nars = "051220000000"\nlatitude = 51.17\nlongitude = 7.08\n'


def pack(root: Path, name: str, toml: str, files: dict[str, str] | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(toml, encoding="utf-8")
    for file, text in (files or {}).items():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text)
    return folder


def errors_of(name: str, search: list[Path]) -> list[str]:
    with pytest.raises(ThemeLoadError) as caught:
        load_theme(name, search)
    assert isinstance(caught.value, ConfigError)  # shown and checked like the configuration
    return caught.value.errors


# --- the built-in packs -------------------------------------------------------------------------


def test_builtin_packs_load_and_every_text_colour_reaches_7_to_1() -> None:
    for name in ("neutral", "solingen"):
        theme = load_theme(name)
        assert theme.directory == BUILTIN / name
        for fore, back in CONTRAST_PAIRS:
            colours = theme.pack.colors
            assert contrast_ratio(getattr(colours, fore), getattr(colours, back)) >= MIN_CONTRAST


def test_neutral_pack_is_the_default_look() -> None:
    neutral = load_theme("neutral").pack
    assert neutral.model_copy(update={"name": ""}) == ThemePack()
    assert neutral.city is None and neutral.logo is None


def test_solingen_pack_has_its_city_and_logo() -> None:
    theme = load_theme("solingen")
    assert theme.pack.city == "Klingenstadt Solingen"
    assert theme.logo is not None and theme.logo.is_file()
    assert theme.pack.colors != ThemeColours()


# --- search order -------------------------------------------------------------------------------


def test_default_search_path_is_etc_first_then_the_builtin_packs() -> None:
    assert theme_search_path() == [Path("/etc/stele/themes"), find_layouts() / "themes"]


def test_a_citys_own_pack_replaces_a_builtin_of_the_same_name(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    own = pack(etc, "neutral", 'name = "Eigenes"\n[colors]\nbackground = "#000000"\n')
    theme = load_theme("neutral", [etc, BUILTIN])
    assert (theme.directory, theme.name, theme.pack.colors.background) == (own, "Eigenes", "#000000")
    # Names only in the built-in folder are still found.
    assert load_theme("solingen", [etc, BUILTIN]).directory == BUILTIN / "solingen"


def test_an_absolute_path_names_the_folder(tmp_path: Path) -> None:
    folder = pack(tmp_path, "x", 'name = "X"\n')
    assert load_theme(str(folder)).directory == folder
    assert errors_of(str(tmp_path), []) == [
        f'display.theme = "{tmp_path}" — no theme.toml in that folder'
    ]


def test_an_unknown_name_says_where_it_looked(tmp_path: Path) -> None:
    etc, builtin = tmp_path / "etc", tmp_path / "builtin"
    assert errors_of("haan", [etc, builtin]) == [
        f'display.theme = "haan" — no theme pack of that name (looked in {etc / "haan"}, '
        f"{builtin / 'haan'})"
    ]
    with pytest.raises(ThemeLoadError):
        find_theme("haan", [etc])


# --- one line per problem ----------------------------------------------------------------------


def test_each_problem_is_one_line_naming_file_key_and_value(tmp_path: Path) -> None:
    folder = pack(
        tmp_path,
        "bad",
        '[colors]\nbackground = "navy"\ntext = "#fff"\n'
        '[fonts]\nfamliy = "Arial"\n'
        '[[emergency]]\nlabel = "Notruf"\nnumber = "eins-eins-zwei"\n',
    )
    toml = folder / "theme.toml"
    assert sorted(errors_of("bad", [tmp_path])) == sorted([
        f'{toml}: colors.background = "navy" — expected a colour "#rrggbb" (six hex digits, '
        'no alpha), e.g. "#0b2545"',
        f'{toml}: colors.text = "#fff" — expected a colour "#rrggbb" (six hex digits, '
        'no alpha), e.g. "#0b2545"',
        f'{toml}: fonts.famliy = "Arial" — unknown key (did you mean fonts.family?)',
        f'{toml}: emergency[0].number = "eins-eins-zwei" — expected a number of digits and '
        'spaces in quotes, e.g. "112" or "116 117"',
    ])


def test_invalid_toml_is_one_line_with_its_line_number(tmp_path: Path) -> None:
    toml = pack(tmp_path, "broken", "[colors\n") / "theme.toml"
    [line] = errors_of("broken", [tmp_path])
    assert line.startswith(f"{toml}: line 1: invalid TOML")


def test_missing_logo_and_font_files_are_named(tmp_path: Path) -> None:
    folder = pack(tmp_path, "p", 'logo = "logo.svg"\n[fonts]\nfiles = ["fonts/a.ttf"]\n')
    assert errors_of("p", [tmp_path]) == [
        f'{folder / "theme.toml"}: logo = "logo.svg" — file not found in {folder}',
        f'{folder / "theme.toml"}: fonts.files[0] = "fonts/a.ttf" — file not found in {folder}',
    ]


@pytest.mark.parametrize("logo", ["/etc/passwd", "../neutral/logo.svg", ""])
def test_a_logo_outside_the_pack_is_refused(tmp_path: Path, logo: str) -> None:
    pack(tmp_path, "p", f"logo = {logo!r}\n".replace("'", '"'))
    [line] = errors_of("p", [tmp_path])
    assert "expected a file name inside the theme's folder" in line


# --- contrast --------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # WCAG's own reference point: #767676 on white is just above 4.5:1.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_pack_with_weak_contrast_is_refused_one_line_per_pair(tmp_path: Path) -> None:
    # Grey body text on the neutral blue: fine on a monitor, unreadable from 3 m in sunlight.
    folder = pack(tmp_path, "grey", '[colors]\ntext = "#8090a0"\n')
    lines = errors_of("grey", [tmp_path])
    failing = [
        (f, b) for f, b in CONTRAST_PAIRS
        if f == "text" and contrast_ratio("#8090a0", getattr(ThemeColours(), b)) < 7
    ]
    assert len(failing) >= 2 and len(lines) == len(failing)
    ratio = contrast_ratio("#8090a0", "#0b2545")
    assert (
        f'{folder / "theme.toml"}: colors.text = "#8090a0" on colors.background = "#0b2545" has '
        f"contrast {ratio:.2f}:1, expected at least 7:1 (read from metres away)"
    ) in lines


def test_a_pack_just_above_the_limit_passes(tmp_path: Path) -> None:
    # Text on accent plates only: accent_text at >= 7:1 against a pale accent.
    pack(tmp_path, "ok", '[colors]\naccent = "#ffe680"\naccent_text = "#3d3000"\n')
    assert contrast_ratio("#3d3000", "#ffe680") >= 7
    load_theme("ok", [tmp_path])


# --- the configuration's key and the CLI --------------------------------------------------------


def test_display_theme_key(tmp_path: Path) -> None:
    cfg_path = tmp_path / "s.toml"
    cfg_path.write_text(DEVICE)
    assert load_config(cfg_path, env={}, system_paths=()).display.theme == "neutral"
    cfg_path.write_text(DEVICE + '[display]\ntheme = "Solingen City"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(cfg_path, env={}, system_paths=())
    assert str(caught.value) == (
        f'{cfg_path}: display.theme = "Solingen City" — expected a theme name (a-z, 0-9, "-", '
        '"_"), e.g. "neutral", or an absolute path to a theme folder'
    )


def test_config_check_reports_a_bad_theme(tmp_path: Path) -> None:
    folder = pack(tmp_path, "grey", '[colors]\ntext_muted = "#556677"\n')
    cfg_path = tmp_path / "s.toml"
    cfg_path.write_text(DEVICE + f'[display]\ntheme = "{folder}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "stele.cli", "config", "check", "--config", str(cfg_path)],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    assert f'{folder / "theme.toml"}: colors.text_muted = "#556677" on colors.background' in proc.stderr
    cfg_path.write_text(DEVICE + '[display]\ntheme = "solingen"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "stele.cli", "config", "check", "--config", str(cfg_path)],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert 'theme = "solingen"' in proc.stdout


def test_the_readme_example_pack_loads(tmp_path: Path) -> None:
    import re

    readme = (BUILTIN.parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(# /etc/stele/themes/haan/theme.toml.*?)```", readme, re.S)
    assert block is not None
    pack(tmp_path, "haan", block[1], {"logo.svg": "<svg/>"})
    theme = load_theme("haan", [tmp_path])
    assert (theme.name, theme.pack.city) == ("Haan", "Gartenstadt Haan")
