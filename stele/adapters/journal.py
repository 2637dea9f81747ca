"""Logging set-up: structured journal entries under systemd, a concise stderr line elsewhere.

Call sites attach context with `log.info("shown", extra={"alert": ident, "topic": topic})`;
in the journal these become ALERT_IDENTIFIER= and MQTT_TOPIC= fields (plus STELE_DEVICE= on
every entry), so `journalctl ALERT_IDENTIFIER=...` follows one alert through the device.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

JournalSend = Callable[..., object]

# LogRecord attribute (from `extra=`) -> journal field name.
EXTRA_FIELDS: dict[str, str] = {"alert": "ALERT_IDENTIFIER", "topic": "MQTT_TOPIC"}
SYSLOG_IDENTIFIER = "stele"
_OURS = "_stele_handler"

# logging level -> syslog priority (journal PRIORITY=).
_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def _priority(levelno: int) -> int:
    for threshold in sorted(_PRIORITY, reverse=True):
        if levelno >= threshold:
            return _PRIORITY[threshold]
    return 7


class StructuredJournalHandler(logging.Handler):
    """Writes each record with our own field set via systemd.journal.send.

    JournalHandler would forward every LogRecord attribute; sending directly keeps the
    entry to the fields we query by (and the standard CODE_* ones).
    """

    def __init__(self, send: JournalSend, device_id: str) -> None:
        super().__init__()
        self._send = send
        self._device_id = device_id

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields: dict[str, Any] = {
                "PRIORITY": str(_priority(record.levelno)),
                "SYSLOG_IDENTIFIER": SYSLOG_IDENTIFIER,
                "STELE_DEVICE": self._device_id,
                "LOGGER": record.name,
                "CODE_FILE": record.pathname,
                "CODE_LINE": record.lineno,  # systemd.journal.send formats it with {:d}
                "CODE_FUNC": record.funcName,
                "THREAD_NAME": record.threadName or "",
            }
            for attr, field in EXTRA_FIELDS.items():
                value = getattr(record, attr, None)
                if value is not None:
                    fields[field] = str(value)
            self._send(self.format(record), **fields)
        except Exception:
            self.handleError(record)


class ConciseFormatter(logging.Formatter):
    """`12:00:01 WARNING stele.mqtt: dropped payload [alert=X topic=Y]`.

    On a journal stream (no systemd-python) the time is left to the journal and a `<N>`
    prefix carries the priority (journald's SyslogLevelPrefix), so `journalctl -p` works.
    """

    def __init__(self, with_time: bool, syslog_prefix: bool = False) -> None:
        fmt = "%(levelname)s %(name)s: %(message)s"
        super().__init__(("%(asctime)s " + fmt) if with_time else fmt, datefmt="%H:%M:%S")
        self._syslog_prefix = syslog_prefix

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self._syslog_prefix:
            text = f"<{_priority(record.levelno)}>{text}"
        extras = [
            f"{attr}={getattr(record, attr)}"
            for attr in EXTRA_FIELDS
            if getattr(record, attr, None) is not None
        ]
        if not extras:
            return text
        # Extras go on the message line, not after a traceback.
        head, sep, tail = text.partition("\n")
        return f"{head} [{' '.join(extras)}]{sep}{tail}"


def under_systemd(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("JOURNAL_STREAM") or env.get("INVOCATION_ID"))


def _journal_send() -> JournalSend | None:
    try:
        from systemd import journal  # type: ignore[import-not-found, attr-defined, unused-ignore]
    except ImportError:
        return None
    return journal.send  # type: ignore[no-any-return, unused-ignore]


def setup_logging(
    level: str,
    device_id: str,
    *,
    env: Mapping[str, str] | None = None,
    journal_send: JournalSend | None = None,
) -> logging.Handler:
    """Install one root handler (replacing an earlier one of ours) and return it.

    `env` and `journal_send` are for tests; by default the real environment and
    systemd.journal.send (when importable) decide.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
        old.close()

    systemd_env = under_systemd(env)
    send = journal_send if journal_send is not None else _journal_send()
    handler: logging.Handler
    if systemd_env and send is not None:
        handler = StructuredJournalHandler(send, device_id)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        # The journal stamps stderr lines itself; a laptop terminal wants the time.
        handler.setFormatter(ConciseFormatter(with_time=not systemd_env, syslog_prefix=systemd_env))
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
