"""The technician's configuration (see loading.py for the layers and error lines)."""

from stele.config.loading import config_sources, load_config
from stele.config.models import (
    ENV_VAR,
    MASK,
    SYSTEM_CONFIG_PATHS,
    AlertsConfig,
    Config,
    ConfigLoadError,
    ContentConfig,
    DeviceConfig,
    DisplayConfig,
    LayoutBySeverity,
    LogConfig,
    MqttConfig,
    OscaConfig,
    PowerConfig,
    ScheduleWindow,
    SecurityConfig,
    StorageConfig,
    TlsConfig,
)
from stele.config.render import render_config

__all__ = [
    "ENV_VAR",
    "MASK",
    "SYSTEM_CONFIG_PATHS",
    "AlertsConfig",
    "Config",
    "ConfigLoadError",
    "ContentConfig",
    "DeviceConfig",
    "DisplayConfig",
    "LayoutBySeverity",
    "LogConfig",
    "MqttConfig",
    "OscaConfig",
    "PowerConfig",
    "ScheduleWindow",
    "SecurityConfig",
    "StorageConfig",
    "TlsConfig",
    "config_sources",
    "load_config",
    "render_config",
]
