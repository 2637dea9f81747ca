"""Layered TOML configuration: real files in a temp dir standing in for /etc and /boot."""

import re
import tomllib
from pathlib import Path

import pytest

from stele.config import (
    MASK,
    Config,
    ConfigLoadError,
    config_sources,
    load_config,
    render_config,
)
from stele.domain.model import Layout, Severity
from stele.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "stele.example.toml"
DEVICE = '[device]\nid = "solingen-1"\nars = "051220000000"\nlatitude = 51.17\nlongitude = 7.08\n'


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    (tmp_path / "etc").mkdir()
    return tmp_path / "etc" / "stele.toml"


@pytest.fixture
def boot(tmp_path: Path) -> Path:
    (tmp_path / "boot").mkdir()
    return tmp_path / "boot" / "stele.toml"


def load(etc: Path, boot: Path, path: Path | None = None, **env: str) -> Config:
    return load_config(path, env=env, system_paths=(etc, boot))


def errors_of(etc: Path, boot: Path, path: Path | None = None, **env: str) -> list[str]:
    with pytest.raises(ConfigLoadError) as caught:
        load(etc, boot, path, **env)
    assert isinstance(caught.value, ConfigError)
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


# --- the example file -----------------------------------------------------------------------


def test_example_file_loads_cleanly() -> None:
    cfg = load_config(EXAMPLE, env={}, system_paths=())
    assert cfg.device.ars == "051220000000"
    assert cfg.mqtt.tls is None  # TLS is shown commented out, so the example needs no files
    assert len(cfg.power.schedule) == 2


def _model_keys(model: type, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        sub = _submodel(info.annotation)
        keys |= _model_keys(sub, f"{prefix}{name}.") if sub else {prefix + name}
    return keys


def _submodel(tp: object) -> type | None:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return next((m for a in get_args(tp) if (m := _submodel(a))), None)


def test_example_file_shows_every_key_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    section, seen, uncommented = "", set(), []
    for i, line in enumerate(lines):
        # Commented-out keys and headers count: keys without a default cannot be written bare.
        text = line.lstrip("# ").rstrip()
        if m := re.fullmatch(r"\[\[?([a-z.]+)\]\]?", text):
            section = m[1]
        elif m := re.fullmatch(r"([A-Za-z_]+) = .+", text):
            key = f"{section}.{m[1]}"
            if key not in seen:
                above = lines[i - 1].lstrip("# ")
                if not lines[i - 1].startswith("#") or re.match(r"[A-Za-z_]+ = ", above):
                    uncommented.append(key)
            seen.add(key)
    assert seen == _model_keys(Config)
    assert uncommented == []


# --- layering ---------------------------------------------------------------------------------


def test_later_layers_win_key_by_key(etc: Path, boot: Path, tmp_path: Path) -> None:
    etc.write_text(DEVICE + '[mqtt]\nhost = "broker.etc"\nport = 8883\nusername = "etc"\n')
    boot.write_text('[mqtt]\nport = 1884\n[alerts.layout]\nMinor = "none"\n')
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[mqtt]\nusername = "explicit"\n[device]\nname = "Markt"\n')

    cfg = load(etc, boot, explicit)

    assert (cfg.mqtt.host, cfg.mqtt.port, cfg.mqtt.username) == ("broker.etc", 1884, "explicit")
    assert (cfg.device.id, cfg.device.name) == ("solingen-1", "Markt")  # [device] deep-merged
    # A partial layout table merges over the built-in defaults.
    assert cfg.alerts.layout[Severity.MINOR] is Layout.NONE
    assert cfg.alerts.layout["Severe"] is Layout.TAKEOVER
    assert cfg.alerts.layout[Severity.MODERATE] is Layout.BANNER


def test_lists_and_table_arrays_are_replaced_not_appended(etc: Path, boot: Path) -> None:
    etc.write_text(
        DEVICE + 'warncells = ["111111111", "222222222"]\n'
        '[[power.schedule]]\non = "06:00"\noff = "07:00"\n'
    )
    boot.write_text(
        '[device]\nwarncells = ["333333333"]\n'
        '[[power.schedule]]\ndays = ["sun"]\non = "08:00"\noff = "09:00"\n'
    )
    cfg = load(etc, boot)
    assert cfg.device.warncells == ("333333333",)
    assert [(w.days, w.on.hour) for w in cfg.power.schedule] == [(("sun",), 8)]


def test_defaults_fill_everything_not_given(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE)
    cfg = load(etc, boot)  # boot missing: skipped silently
    assert cfg.device.languages == ("de", "en")
    assert cfg.mqtt.prefix == "stele/v1"
    assert cfg.mqtt_client_id == "stele-solingen-1"
    assert cfg.display.size == (1080, 1920)
    assert cfg.power.schedule == ()
    assert cfg.power.normal_brightness == 100
    assert cfg.alerts.recheck_s == 5.0


def test_env_names_the_explicit_file_and_the_argument_beats_it(
    etc: Path, boot: Path, tmp_path: Path
) -> None:
    etc.write_text(DEVICE)
    from_env, from_arg = tmp_path / "env.toml", tmp_path / "arg.toml"
    from_env.write_text('[display]\ncity = "Haan"\n')
    from_arg.write_text('[display]\ncity = "Hilden"\n')
    assert load(etc, boot, STELE_CONFIG=str(from_env)).display.city == "Haan"
    assert load(etc, boot, from_arg, STELE_CONFIG=str(from_env)).display.city == "Hilden"
    assert load(etc, boot, STELE_CONFIG="").display.city is None  # the theme's city then
    assert config_sources(env={"STELE_CONFIG": str(from_env)}, system_paths=(etc, boot)) == [
        etc,
        from_env,
    ]


def test_missing_explicit_file_is_an_error(etc: Path, boot: Path, tmp_path: Path) -> None:
    etc.write_text(DEVICE)
    gone = tmp_path / "nope.toml"
    assert errors_of(etc, boot, gone) == [f"{gone}: file not found"]
    assert errors_of(etc, boot, STELE_CONFIG=str(gone)) == [f"{gone}: file not found"]


def test_bom_and_crlf_from_the_fat_partition(etc: Path, boot: Path) -> None:
    text = DEVICE + '[display]\ncity = "Köln"\n'
    boot.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    cfg = load(etc, boot)
    assert cfg.display.city == "Köln"
    assert cfg.device.ars == "051220000000"


def test_non_utf8_text_names_the_line(etc: Path, boot: Path) -> None:
    boot.write_bytes((DEVICE + '[display]\ncity = "Köln"\n').encode("cp1252"))
    [line] = errors_of(etc, boot)
    assert line.startswith(f"{boot}: line 7: not UTF-8 text")


def test_invalid_toml_gives_file_and_line(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE)
    boot.write_text('[mqtt]\nhost = "x"\n\nport = = 1\n')
    [line] = errors_of(etc, boot)
    assert re.fullmatch(rf"{re.escape(str(boot))}: line 4: invalid TOML: .+ \(column \d+\)", line)


def test_invalid_toml_in_two_layers_reports_both(etc: Path, boot: Path) -> None:
    etc.write_text("[device\n")
    boot.write_text('a = "unterminated\n')
    lines = errors_of(etc, boot)
    assert [line.split(":")[0] for line in lines] == [str(etc), str(boot)]
    assert all(": line 1: invalid TOML: " in line for line in lines)


# --- validation errors ------------------------------------------------------------------------


def test_issue_examples_verbatim(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE + "[mqtt]\nprot = 1883\n")
    boot.write_text('[device]\nars = "05122"\n')
    assert errors_of(etc, boot) == [
        f'{boot}: device.ars = "05122" — expected 12 digits (Amtlicher Regionalschluessel),'
        ' e.g. "051220000000"',
        f"{etc}: mqtt.prot = 1883 — unknown key (did you mean mqtt.port?)",
    ]


@pytest.mark.parametrize(
    ("snippet", "key_and_value", "expected"),
    [
        ('[device]\nid = "Stele/1"', 'device.id = "Stele/1"', "lower case"),
        ("[device]\nars = 51220000000", "device.ars = 51220000000", 'e.g. "051220000000"'),
        ("[device]\nlatitude = 91.5", "device.latitude = 91.5", "expected a number from -90 to 90"),
        (
            '[device]\nlongitude = "7.1"',
            'device.longitude = "7.1"',
            "expected a number from -180 to 180 (without quotes)",
        ),
        (
            '[device]\nwarncells = ["80512200"]',
            'device.warncells[0] = "80512200"',
            "expected 9 digits (DWD warn cell ID)",
        ),
        ("[device]\nlanguages = []", "device.languages = []", "non-empty list of language tags"),
        (
            '[device]\nlanguages = ["de", "Deutsch"]',
            'device.languages[1] = "Deutsch"',
            "language tag",
        ),
        (
            '[device]\ntimezone = "Europe/Solingen"',
            'device.timezone = "Europe/Solingen"',
            "IANA time zone name",
        ),
        ("[mqtt]\nport = 70000", "mqtt.port = 70000", "expected a whole number from 1 to 65535"),
        ("[mqtt]\nport = 1883.5", "mqtt.port = 1883.5", "expected a whole number"),
        ('[mqtt]\nprefix = "stele/#"', 'mqtt.prefix = "stele/#"', 'letters, digits, "_" and "-"'),
        ('[mqtt]\nprefix = "stele/v1/"', 'mqtt.prefix = "stele/v1/"', 'joined by "/"'),
        # NATS and RabbitMQ turn "." into a level boundary: only what every broker carries.
        ('[mqtt]\nprefix = "city.x/stele"', 'mqtt.prefix = "city.x/stele"', "rewritten or refused"),
        ('[mqtt]\nprefix = "stele/v1.1"', 'mqtt.prefix = "stele/v1.1"', 'e.g. "stele/v1"'),
        ('[mqtt]\nprefix = "$SYS/stele"', 'mqtt.prefix = "$SYS/stele"', "letters, digits"),
        ('[mqtt]\nprefix = "my stele"', 'mqtt.prefix = "my stele"', "letters, digits"),
        ('[mqtt]\nprefix = "stele//v1"', 'mqtt.prefix = "stele//v1"', 'joined by "/"'),
        ('[mqtt]\nprefix = "stele/+"', 'mqtt.prefix = "stele/+"', 'joined by "/"'),
        ('[mqtt]\nprefix = ""', 'mqtt.prefix = ""', 'joined by "/"'),
        ('[mqtt]\nprotocol = "4"', 'mqtt.protocol = "4"', 'expected one of "auto", "5", "3.1.1"'),
        (
            "[mqtt]\nreconnect_min_s = 10.0\nreconnect_max_s = 5.0",
            "mqtt.reconnect_max_s = 5.0",
            ">= mqtt.reconnect_min_s (10)",
        ),
        ('[mqtt]\nclient_id = ""', 'mqtt.client_id = ""', "expected non-empty text"),
        (
            '[mqtt.tls]\nca_file = "/nonexistent/ca.pem"',
            'mqtt.tls.ca_file = "/nonexistent/ca.pem"',
            "file not found",
        ),
        ('[mqtt.tls]\nca_file = "ca.pem"', 'mqtt.tls.ca_file = "ca.pem"', "absolute path"),
        ('[storage]\ndir = "var/lib"', 'storage.dir = "var/lib"', "absolute directory path"),
        ("[power]\nnormal_brightness = 0", "power.normal_brightness = 0", "from 1 to 100"),
        ("[alerts]\nrecheck_s = 10", "alerts.recheck_s = 10", "expected a number from 1 to 5"),
        ("[alerts]\nall_clear_minutes = -1", "alerts.all_clear_minutes = -1", "from 0 to 1440"),
        (
            '[alerts.layout]\nSevere = "popup"',
            'alerts.layout.Severe = "popup"',
            'expected one of "takeover", "banner", "loop", "none"',
        ),
        (
            '[alerts.layout]\nsevere = "loop"',
            'alerts.layout.severe = "loop"',
            "unknown key (did you mean alerts.layout.Severe?)",
        ),
        (
            '[display]\norientation = "upright"',
            'display.orientation = "upright"',
            'expected one of "portrait", "landscape"',
        ),
        ("[display]\nfullscreen = 1", "display.fullscreen = 1", "expected true or false"),
        ("[display]\nwidth = 0", "display.width = 0", "from 1 to 16384"),
        ('[power]\nbackend = "hdmi"', 'power.backend = "hdmi"', '"none", "cec", "ddc"'),
        (
            '[power]\nbackend = "command"\non_command = "x \'y"\noff_command = "off"',
            'power.on_command = "x \'y"',
            "balanced quotes",
        ),
        (
            '[[power.schedule]]\ndays = ["Mo"]\non = "06:00"\noff = "22:00"',
            'power.schedule[0].days[0] = "Mo"',
            '"mon", "tue"',
        ),
        (
            '[[power.schedule]]\non = "6:00"\noff = "22:00"',
            'power.schedule[0].on = "6:00"',
            'expected a time "HH:MM"',
        ),
        (
            '[[power.schedule]]\non = "06:00"\noff = "06:00"',
            'power.schedule[0].off = "06:00"',
            "different from `on`",
        ),
        ('[log]\nlevel = "verbose"', 'log.level = "verbose"', '"DEBUG", "INFO"'),
        ("[mqtt.tlss]\nca_file = 1", "[mqtt.tlss]", "unknown section (did you mean [mqtt.tls]?)"),
        ("mqtt = 5", "mqtt = 5", "expected a table ([mqtt] section)"),
    ],
)
def test_each_error_is_one_line_naming_file_key_value_expectation(
    etc: Path, boot: Path, snippet: str, key_and_value: str, expected: str
) -> None:
    etc.write_text(DEVICE)
    boot.write_text(snippet + "\n")
    [line] = errors_of(etc, boot)
    assert line.startswith(f"{boot}: {key_and_value} — "), line
    assert expected in line, line
    assert "\n" not in line and "Traceback" not in line and "pydantic" not in line


@pytest.mark.parametrize("prefix", ["stele/v1", "city_x/Stele-2/v1", "s"])
def test_a_prefix_every_broker_carries_is_accepted(etc: Path, boot: Path, prefix: str) -> None:
    etc.write_text(DEVICE + f'[mqtt]\nprefix = "{prefix}"\n')
    assert load(etc, boot).mqtt.prefix == prefix


def test_errors_are_attributed_to_the_layer_that_supplied_the_key(
    etc: Path, boot: Path, tmp_path: Path
) -> None:
    etc.write_text(DEVICE + "[mqtt]\nport = 0\n[display]\ncity = 5\n")
    boot.write_text('[display]\ncity = "Solingen"\nrotation_s = 0\n[mqtt]\nhost = ""\n')
    explicit = tmp_path / "x.toml"
    explicit.write_text('[device]\nars = "12"\n')
    lines = errors_of(etc, boot, explicit)
    assert sorted(lines) == sorted(
        [
            f'{explicit}: device.ars = "12" — expected 12 digits (Amtlicher Regionalschluessel),'
            ' e.g. "051220000000"',
            f'{boot}: mqtt.host = "" — expected non-empty text in quotes',
            f"{etc}: mqtt.port = 0 — expected a whole number from 1 to 65535",
            f"{boot}: display.rotation_s = 0 — expected a number greater than 0 and at most 3600",
        ]
    )


def test_replaced_list_takes_its_provenance_along(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE + 'warncells = ["x", "y"]\n')
    boot.write_text('[device]\nwarncells = ["805122000", "z"]\n')
    [line] = errors_of(etc, boot)
    assert line.startswith(f'{boot}: device.warncells[1] = "z" — ')


def test_required_key_missing_everywhere_names_the_last_file(etc: Path, boot: Path) -> None:
    etc.write_text('[device]\nid = "a"\nars = "051220000000"\nlatitude = 51.0\n')
    boot.write_text('[display]\ncity = "Haan"\n')
    assert errors_of(etc, boot) == [
        f"{boot}: device.longitude — required key missing; expected a number from -180 to 180"
    ]


def test_no_file_at_all_reports_each_required_key_against_configuration(
    etc: Path, boot: Path
) -> None:
    lines = errors_of(etc, boot)
    assert [line.split(" — ")[0] for line in lines] == [
        f"configuration: device.{key}" for key in ("id", "ars", "latitude", "longitude")
    ]
    assert all("required key missing; expected" in line for line in lines)


def test_tls_cert_and_key_go_together_and_files_must_exist(
    etc: Path, boot: Path, tmp_path: Path
) -> None:
    cert = tmp_path / "stele.crt"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    etc.write_text(DEVICE + f'[mqtt.tls]\ncert_file = "{cert}"\n')
    [line] = errors_of(etc, boot)
    assert line == (
        f"{etc}: mqtt.tls.key_file — required when mqtt.tls.cert_file is set"
        " (certificate and its key)"
    )
    boot.write_text(f'[mqtt.tls]\nkey_file = "{tmp_path}"\n')
    [line] = errors_of(etc, boot)
    assert line.startswith(f'{boot}: mqtt.tls.key_file = "{tmp_path}" — expected a file')


def test_power_command_backend_needs_both_commands(etc: Path, boot: Path) -> None:
    etc.write_text(
        DEVICE + '[power]\nbackend = "command"\non_command = "vcgencmd display_power 1"\n'
    )
    assert errors_of(etc, boot) == [
        f'{etc}: power.off_command — required when power.backend = "command"'
    ]


def test_many_errors_are_all_listed_one_per_line(etc: Path, boot: Path) -> None:
    etc.write_text(
        '[device]\nid = "A"\nars = "1"\nlatitude = 100.0\nlongitude = 0.0\n'
        '[mqtt]\nport = -1\nqos = 1\n[log]\nlevel = "loud"\n'
    )
    lines = errors_of(etc, boot)
    keys = [line.removeprefix(f"{etc}: ").split(" ")[0] for line in lines]
    assert keys == [
        "device.id",
        "device.ars",
        "device.latitude",
        "mqtt.port",
        "mqtt.qos",
        "log.level",
    ]


def test_password_value_is_masked_in_errors(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE + "[mqtt]\npassword = 123456\n")
    [line] = errors_of(etc, boot)
    assert line == f"{etc}: mqtt.password = {MASK} — expected text in quotes"


def test_lenient_spellings(etc: Path, boot: Path) -> None:
    etc.write_text(
        DEVICE + '[mqtt]\nprotocol = 5\n[log]\nlevel = "debug"\n'
        '[[power.schedule]]\non = 22:30:00\noff = "06:00"\n'
    )
    cfg = load(etc, boot)
    assert (cfg.mqtt.protocol, cfg.log.level) == ("5", "DEBUG")
    assert (cfg.power.schedule[0].on.hour, cfg.power.schedule[0].on.minute) == (22, 30)


# --- rendering --------------------------------------------------------------------------------


@pytest.fixture
def full_config(etc: Path, tmp_path: Path, boot: Path) -> Config:
    ca = tmp_path / "ca.pem"
    ca.write_text("ca")
    etc.write_text(
        DEVICE + 'name = "Markt \\"Mitte\\"\\tNord"\nwarncells = ["805122000"]\n'
        'languages = ["tr", "de-DE"]\n'
        '[mqtt]\nusername = "stele"\npassword = "s3cr=t \\"x\\""\nclient_id = "own"\n'
        f'[mqtt.tls]\nca_file = "{ca}"\ninsecure = true\n'
        '[alerts.layout]\nUnknown = "none"\n[display]\nwidth = 720\nrotation_s = 7.5\n'
        '[[power.schedule]]\ndays = ["mon"]\non = "22:00"\noff = "06:00"\n'
        '[[power.schedule]]\non = "08:00"\noff = "09:30"\n'
    )
    return load(etc, boot)


def test_render_masks_the_password(full_config: Config) -> None:
    text = render_config(full_config)
    assert "s3cr=t" not in text
    assert tomllib.loads(text)["mqtt"]["password"] == MASK
    assert tomllib.loads(text)["mqtt"]["tls"]["ca_file"] == str(full_config.mqtt.tls.ca_file)


def test_render_round_trips_to_an_equal_config(full_config: Config, tmp_path: Path) -> None:
    shown = tmp_path / "shown.toml"
    shown.write_text(render_config(full_config, reveal_secrets=True))
    again = load_config(shown, env={}, system_paths=())
    assert again == full_config
    assert again.mqtt.password is not None
    assert again.mqtt.password.get_secret_value() == 's3cr=t "x"'

    masked = tmp_path / "masked.toml"
    masked.write_text(render_config(full_config))
    reloaded = load_config(masked, env={}, system_paths=())
    assert reloaded.mqtt.password is not None
    assert reloaded.mqtt.password.get_secret_value() == MASK
    assert reloaded.model_copy(update={"mqtt": full_config.mqtt}) == full_config


def test_render_of_defaults_round_trips_and_keeps_tls_off(
    etc: Path, boot: Path, tmp_path: Path
) -> None:
    etc.write_text(DEVICE)
    cfg = load(etc, boot)
    shown = tmp_path / "shown.toml"
    shown.write_text(render_config(cfg))
    assert "[mqtt.tls]" not in shown.read_text()
    assert load_config(shown, env={}, system_paths=()) == cfg


def test_empty_tls_table_means_tls_on_and_survives_rendering(
    etc: Path, boot: Path, tmp_path: Path
) -> None:
    etc.write_text(DEVICE + "[mqtt.tls]\n")
    cfg = load(etc, boot)
    assert cfg.mqtt.tls is not None
    shown = tmp_path / "shown.toml"
    shown.write_text(render_config(cfg))
    assert load_config(shown, env={}, system_paths=()).mqtt.tls == cfg.mqtt.tls


def test_env_defaults_to_the_process_environment(
    etc: Path, boot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc.write_text(DEVICE)
    named = tmp_path / "named.toml"
    named.write_text('[log]\nlevel = "ERROR"\n')
    monkeypatch.setenv("STELE_CONFIG", str(named))
    assert load_config(system_paths=(etc, boot)).log.level == "ERROR"


def test_a_directory_where_a_file_belongs_is_reported(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE)
    boot.mkdir()
    assert errors_of(etc, boot) == [f"{boot}: is a directory, expected a TOML file"]


def test_display_size_follows_orientation_unless_overridden(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE + '[display]\norientation = "landscape"\n')
    assert load(etc, boot).display.size == (1920, 1080)
    boot.write_text("[display]\nheight = 1200\n")
    assert load(etc, boot).display.size == (1920, 1200)


# --- content ----------------------------------------------------------------------------------


def test_content_defaults_and_absent_manifest_url(etc: Path, boot: Path) -> None:
    etc.write_text(DEVICE)
    cfg = load(etc, boot)
    assert cfg.content.manifest_url is None
    assert (cfg.content.poll_s, cfg.content.cache_mb, cfg.content.report_s) == (300, 2048, 900)
    assert cfg.device.tags == ()


def test_content_keys_and_device_tags(etc: Path, boot: Path) -> None:
    etc.write_text(
        DEVICE.replace("[device]\n", '[device]\ntags = ["innenstadt", "hbf_nord"]\n')
        + '[content]\nmanifest_url = "https://stadt.example/m.json"\npoll_s = 60\ncache_mb = 10\n'
    )
    cfg = load(etc, boot)
    assert cfg.device.tags == ("innenstadt", "hbf_nord")
    assert cfg.content.manifest_url == "https://stadt.example/m.json"
    assert (cfg.content.poll_s, cfg.content.cache_mb) == (60, 10)


def test_content_errors_one_line_each(etc: Path, boot: Path) -> None:
    etc.write_text(
        DEVICE.replace("[device]\n", '[device]\ntags = ["Innenstadt"]\n')
        + '[content]\nmanifest_url = "ftp://stadt.example/m.json"\npoll_s = "300"\n'
        "cache_mb = 0\nrepot_s = 5\n"
    )
    errors = errors_of(etc, boot)
    assert errors == [
        f'{etc}: device.tags[0] = "Innenstadt" — expected a short name: a-z, 0-9, "-" and "_",'
        ' up to 32 characters, e.g. "innenstadt"',
        f'{etc}: content.manifest_url = "ftp://stadt.example/m.json" — expected an http:// or'
        ' https:// URL, e.g. "https://stadt.example/stele/manifest.json"',
        f'{etc}: content.poll_s = "300" — expected a whole number from 10 to 86400 (without quotes)',
        f"{etc}: content.cache_mb = 0 — expected a whole number from 1 to 1048576",
        f"{etc}: content.repot_s = 5 — unknown key (did you mean content.report_s?)",
    ]
