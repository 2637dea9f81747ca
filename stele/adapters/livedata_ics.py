"""iCalendar (RFC 5545) bodies to `Event` occurrences, with icalendar and
recurring-ical-events (Debian: python3-icalendar, python3-recurring-ical-events).

Recurring events are expanded here, at fetch time, into the occurrences of the coming
year, so a stele that stays offline for days still knows its next dates; the pure
selection in stele.domain.livedata then picks the next ones at any `now`.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from stele.domain.livedata import Event
from stele.domain.text import plain_text
from stele.errors import LiveDataError

HORIZON = timedelta(days=366)
# A slide shows a handful; this bounds the work for a rule like FREQ=SECONDLY, too.
MAX_OCCURRENCES = 500


def parse_events(body: bytes, source_url: str, now: datetime, zone: tzinfo) -> tuple[Event, ...]:
    """Every occurrence that has not ended at `now` and starts within a year, earliest first,
    in the stele's zone (floating times and all-day dates are taken as local to it)."""
    if now.utcoffset() is None:
        raise ValueError("now must carry a UTC offset")
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except Exception as exc:  # the library raises ValueError, KeyError, IndexError, ...
        raise LiveDataError(f"{source_url}: not a readable iCalendar file ({_line(exc)})") from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise LiveDataError(f"{source_url}: not an iCalendar file (no VCALENDAR)")
    local_now = now.astimezone(zone)
    horizon = local_now + HORIZON
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        found: list[Event] = []
        for component in itertools.islice(query.after(local_now), MAX_OCCURRENCES * 4):
            event = _event(component, zone)
            if event is None:
                continue
            if event.start >= horizon or len(found) >= MAX_OCCURRENCES:
                break
            found.append(event)
    except LiveDataError:
        raise
    except Exception as exc:
        raise LiveDataError(f"{source_url}: calendar cannot be expanded ({_line(exc)})") from None
    found.sort(key=lambda e: (e.start, e.end, e.title))
    return tuple(found)


def _event(component: Any, zone: tzinfo) -> Event | None:
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    dtstart = component.get("DTSTART")
    if dtstart is None:
        return None
    raw_start = dtstart.dt
    all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
    start = _local(raw_start, zone)
    end = _end(component, raw_start, start, zone, all_day)
    title = _one_line(component.get("SUMMARY", ""))
    if not title:
        return None
    return Event(
        start=start,
        end=max(end, start),
        all_day=all_day,
        title=title,
        location=_one_line(component.get("LOCATION", "")),
    )


def _end(component: Any, raw_start: Any, start: datetime, zone: tzinfo, all_day: bool) -> datetime:
    dtend = component.get("DTEND")
    if dtend is not None:
        return _local(dtend.dt, zone)
    duration = component.get("DURATION")
    if duration is not None:
        return start + duration.dt
    # RFC 5545 3.6.1: without DTEND or DURATION an all-day event lasts that day.
    return _local(raw_start + timedelta(days=1), zone) if all_day else start


def _local(value: Any, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=zone)  # a floating time: the stele's local time
        return value.astimezone(zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    raise ValueError(f"not a date or date-time: {value!r}")


def _one_line(value: Any) -> str:
    return " ".join(plain_text(str(value)).split())


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
