"""One exception base, one subclass per subsystem (so the CLI can map each to an exit code)."""


class SteleError(Exception):
    """Base of every error stele raises on purpose."""


class CapError(SteleError):
    """A CAP payload is unreadable, oversize, hostile or invalid."""


class ConfigError(SteleError):
    """The configuration is invalid; the message names file, key, value and expectation."""


class StateError(SteleError):
    """Persisted state could not be written."""


class LiveDataError(SteleError):
    """A live-data source (news feed, calendar, weather API) gave no usable answer."""


class PkiError(SteleError):
    """A certificate, key, ACL input or signing key is unusable; the message says what to do."""
