"""Display power: backends behind one small interface, and the controller that drives them.

The controller decides (schedule, crisis, manual command) on the caller's thread and is cheap;
the backend calls (cec-ctl can take a second or more) run on one worker thread, so the alert
hot path never waits for a monitor. Failures are logged, never raised.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from stele.domain.schedule import Window, desired_power, is_on, next_change
from stele.errors import ConfigError

if TYPE_CHECKING:
    from stele.config.models import PowerConfig

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 10.0
FULL_BRIGHTNESS = 100


class DisplayBackend(Protocol):
    def set_power(self, on: bool) -> None: ...
    def set_brightness(self, percent: int) -> None: ...


def run_command(argv: Sequence[str], timeout_s: float = COMMAND_TIMEOUT_S) -> bool:
    """Run a helper without a shell; log (not raise) a missing binary, a failure or a hang."""
    try:
        res = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except FileNotFoundError:
        log.error("display: %s not found", argv[0])
        return False
    except subprocess.TimeoutExpired:
        log.error("display: %s timed out after %.0f s", shlex.join(argv), timeout_s)
        return False
    except OSError as exc:
        log.error("display: %s failed to start: %s", shlex.join(argv), exc)
        return False
    if res.returncode != 0:
        detail = (res.stderr or res.stdout).strip()[:300]
        log.error("display: %s exited %d: %s", shlex.join(argv), res.returncode, detail)
        return False
    return True


class NoneBackend:
    """No display control (the screen stays as the firmware left it)."""

    def set_power(self, on: bool) -> None:
        pass

    def set_brightness(self, percent: int) -> None:
        pass


class CecBackend:
    """HDMI-CEC via v4l-utils' cec-ctl: Image View On / Standby to the TV (logical address 0)."""

    def __init__(
        self,
        device: str | Path = "/dev/cec0",
        *,
        executable: str = "cec-ctl",
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self._base = [executable, "-d", str(device)]
        self._timeout_s = timeout_s
        self._registered = False

    def set_power(self, on: bool) -> None:
        # The adapter needs a logical address before it may transmit; claim one once.
        if not self._registered:
            self._registered = run_command([*self._base, "--playback"], self._timeout_s)
        action = "--image-view-on" if on else "--standby"
        run_command([*self._base, "--to", "0", action], self._timeout_s)

    def set_brightness(self, percent: int) -> None:
        pass  # CEC has no brightness message


class DdcBackend:
    """DDC/CI via ddcutil: VCP D6 (power mode 01 on / 04 off), VCP 10 (brightness).

    `normal_brightness` (power.normal_brightness) is the level outside a crisis; the
    controller applies it, this backend only carries it from the configuration.
    """

    def __init__(
        self,
        display: int = 1,
        *,
        normal_brightness: int | None = None,
        executable: str = "ddcutil",
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self._base = [executable, "--display", str(display), "setvcp"]
        self._timeout_s = timeout_s
        self.normal_brightness = normal_brightness

    def set_power(self, on: bool) -> None:
        run_command([*self._base, "D6", "01" if on else "04"], self._timeout_s)

    def set_brightness(self, percent: int) -> None:
        value = max(0, min(100, percent))
        run_command([*self._base, "10", str(value)], self._timeout_s)


class CommandBackend:
    """The technician's own on/off command lines (split like a shell, run without one)."""

    def __init__(
        self,
        on_command: str | None,
        off_command: str | None,
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self._on = shlex.split(on_command) if on_command else None
        self._off = shlex.split(off_command) if off_command else None
        self._timeout_s = timeout_s

    def set_power(self, on: bool) -> None:
        argv = self._on if on else self._off
        if argv:
            run_command(argv, self._timeout_s)

    def set_brightness(self, percent: int) -> None:
        pass


class BlankBackend:
    """Black scene instead of switching the panel: the UI provides set_blanked(bool).

    The callback is called from the controller's worker thread; the UI side must hop to
    the GUI thread (emit a Qt signal).
    """

    def __init__(self, set_blanked: Callable[[bool], None]) -> None:
        self._set_blanked = set_blanked

    def set_power(self, on: bool) -> None:
        self._set_blanked(not on)

    def set_brightness(self, percent: int) -> None:
        pass


def make_backend(
    power_cfg: PowerConfig, blank_callback: Callable[[bool], None] | None = None
) -> DisplayBackend:
    """Backend for a PowerConfig (duck-typed: backend, on/off_command, cec_device, ddc_display,
    normal_brightness)."""
    kind = power_cfg.backend
    if kind == "cec":
        return CecBackend(power_cfg.cec_device)
    if kind == "ddc":
        return DdcBackend(power_cfg.ddc_display, normal_brightness=power_cfg.normal_brightness)
    if kind == "command":
        return CommandBackend(power_cfg.on_command, power_cfg.off_command)
    if kind == "blank":
        if blank_callback is None:
            raise ConfigError('power.backend = "blank" needs the UI (not available here)')
        return BlankBackend(blank_callback)
    if kind == "none":
        return NoneBackend()
    raise ConfigError(f"power.backend: unknown backend {kind!r}")


def _utc(instant: datetime) -> datetime:
    # Same-zone aware datetimes compare as wall clocks; compare instants instead.
    return instant.astimezone(UTC)


class DisplayController:
    """Applies desired_power() to a backend on change; `now` is always passed in.

    A manual `display` command holds until the schedule's next change (like a thermostat's
    temporary override) or until command(None). A crisis forces the display on at full
    brightness and clears any override, so after the all-clear the schedule applies again.
    Outside a crisis the brightness is `normal_brightness`: given here, else the backend's
    own (`DdcBackend` carries power.normal_brightness); None leaves it alone (so at 100 after
    a crisis). It is set when the display first comes on and when a crisis ends, never on a
    display that is and stays off.
    """

    def __init__(
        self,
        backend: DisplayBackend,
        schedule: Sequence[Window],
        tz: tzinfo,
        *,
        normal_brightness: int | None = None,
    ) -> None:
        self._backend = backend
        self._schedule = tuple(schedule)
        self._tz = tz
        self._normal_brightness = (
            normal_brightness
            if normal_brightness is not None
            else getattr(backend, "normal_brightness", None)
        )
        self._brightness: int | None = None  # last level handed to the backend
        self._crisis = False
        self._override: bool | None = None
        self._override_until: datetime | None = None
        self._desired: tuple[bool, bool] | None = None
        # Worker: always applies the latest wanted state (intermediate ones are skipped).
        self._cond = threading.Condition()
        self._wanted: tuple[bool, bool] | None = None
        self._applied: tuple[bool, bool] | None = None
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="display-power", daemon=True)
        self._thread.start()

    @property
    def desired(self) -> tuple[bool, bool] | None:
        """(on, full_brightness) last decided, None before the first update()."""
        return self._desired

    def update(self, now: datetime, crisis: bool) -> datetime | None:
        """Decide and (on change) apply; returns the next instant worth calling again."""
        if crisis != self._crisis:
            # A crisis overrules a manual command, and the all-clear hands back to the schedule.
            self._override = self._override_until = None
        self._crisis = crisis
        if self._override_until is not None and _utc(now) >= _utc(self._override_until):
            log.info("display: manual override ends, schedule applies")
            self._override = self._override_until = None
        state = desired_power(is_on(self._schedule, now, self._tz), crisis, self._override)
        if state != self._desired:
            log.info(
                "display: power %s%s (crisis=%s, override=%s)",
                "on" if state[0] else "off",
                ", full brightness" if state[1] else "",
                crisis,
                self._override,
            )
            self._desired = state
            with self._cond:
                self._wanted = state
                self._cond.notify()
        deadlines = [
            d
            for d in (next_change(self._schedule, now, self._tz), self._override_until)
            if d is not None
        ]
        return min(deadlines, key=_utc) if deadlines else None

    def command(self, on: bool | None, now: datetime) -> datetime | None:
        """The MQTT `display` command: True/False until the next scheduled change, None = auto."""
        self._override = on
        self._override_until = (
            next_change(self._schedule, now, self._tz) if on is not None else None
        )
        return self.update(now, self._crisis)

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until the backend has been given the latest state (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._busy and self._wanted is None, timeout=timeout_s
            )

    def close(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout_s)

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted is not None or self._closed)
                if self._wanted is None:  # closed and nothing left to do
                    return
                wanted, self._wanted, self._busy = self._wanted, None, True
            try:
                self._apply(wanted)
            except Exception:
                log.exception("display: backend failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _apply(self, wanted: tuple[bool, bool]) -> None:
        on, full = wanted
        last = self._applied
        self._applied = wanted
        was_on = last is not None and last[0]
        level = FULL_BRIGHTNESS if full else self._normal_brightness
        if on and not was_on:
            self._backend.set_power(True)
        # A crisis always sends 100 (the OSD may have dimmed the panel behind our back);
        # otherwise only a change. Only on a panel that is on, or was until now (back to
        # normal before it goes dark).
        entering_crisis = full and (last is None or not last[1])
        changed = entering_crisis or level != self._brightness
        if level is not None and changed and (on or was_on):
            self._backend.set_brightness(level)
            self._brightness = level
        if not on and (last is None or was_on):
            self._backend.set_power(False)
