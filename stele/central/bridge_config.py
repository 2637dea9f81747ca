"""`stele bridge` configuration: [mqtt] exactly as the stele's, [bridge] for the feeds.

Loaded by the same layered loader as the stele's file (stele.config.loading), so a
technician gets the same one-line errors; there is no [device] section.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from stele.config.loading import load_model
from stele.config.models import Float, Int, LogConfig, MqttConfig

BRIDGE_CONFIG_PATHS: tuple[Path, ...] = (Path("/etc/stele/bridge.toml"),)
BRIDGE_ENV_VAR = "STELE_BRIDGE_CONFIG"
PUBLIC_NINA_URL = "https://warnung.bund.de/api31"
# The DWD open-data "latest status" archive of every current warning for the municipality
# union cells: one ZIP of CAP 1.2 XML files (docs/bridge.md).
PUBLIC_DWD_URL = (
    "https://opendata.dwd.de/weather/alerts/cap/COMMUNEUNION_DWD_STAT/"
    "Z_CAP_C_EDZW_LATEST_PVW_STATUS_PREMIUMDWD_COMMUNEUNION_MUL.zip"
)
_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _http_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise ValueError('expected an http(s) URL, e.g. "https://warnung.bund.de/api31"')
    return value.rstrip("/")


def _absolute_dir(path: Path) -> Path:
    if not path.is_absolute():
        raise ValueError('expected an absolute directory path, e.g. "/var/lib/stele-bridge"')
    return path


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Ars = Annotated[str, Field(pattern=r"^[0-9]{12}$")]
WarnCell = Annotated[str, Field(pattern=r"^[0-9]{9}$")]


class BridgeSection(BaseModel):
    model_config = _FROZEN
    ars: tuple[Ars, ...] = ()
    warncells: tuple[WarnCell, ...] = Field(default=(), validate_default=True)
    nina_url: HttpUrl = PUBLIC_NINA_URL
    dwd_url: HttpUrl = PUBLIC_DWD_URL
    # The federal API's own clients poll the dashboard every 30 s or slower.
    poll_s: Float = Field(default=30.0, ge=1.0, le=3600.0)
    dwd_poll_s: Float = Field(default=60.0, ge=1.0, le=3600.0)
    jitter: Float = Field(default=0.1, ge=0.0, le=0.5)
    timeout_s: Float = Field(default=10.0, gt=0.0, le=120.0)
    backoff_max_s: Float = Field(default=300.0, ge=1.0, le=86400.0)
    clear_after_polls: Int = Field(default=3, ge=1, le=1000)
    state_dir: Annotated[Path, AfterValidator(_absolute_dir)] = Path("/var/lib/stele-bridge")
    # Sign every alert and index (docs/mqtt.md, "Signed messages"): the city's Ed25519 key,
    # a PEM file as `openssl genpkey -algorithm ed25519` writes it. Default: unsigned.
    signing_key: Path | None = None

    @field_validator("warncells")
    @classmethod
    def _published_somewhere(cls, value: tuple[str, ...], info: Any) -> tuple[str, ...]:
        if "ars" in info.data and not info.data["ars"]:
            raise ValueError(
                "needs bridge.ars: warnings are published on the topics of those "
                "municipalities (without both the bridge has nothing to do)"
            )
        return value


class BridgeConfig(BaseModel):
    model_config = _FROZEN
    bridge: BridgeSection
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    log: LogConfig = Field(default_factory=LogConfig)


def load_bridge_config(path: Path | None = None, **kw: Any) -> BridgeConfig:
    """The bridge's layers: /etc/stele/bridge.toml < --config PATH or $STELE_BRIDGE_CONFIG."""
    kw.setdefault("system_paths", BRIDGE_CONFIG_PATHS)
    return load_model(BridgeConfig, path, sections=("bridge",), env_var=BRIDGE_ENV_VAR, **kw)
