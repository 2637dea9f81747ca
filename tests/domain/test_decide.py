"""Language choice, activity, layout by level, display order."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stele.domain.cap import parse_alert
from stele.domain.decide import (
    Policy,
    choose_info,
    clock_lag,
    decide_layout,
    display_order_key,
    infos_by_preference,
    is_active,
    onset_of,
)
from stele.domain.model import Layout, Severity
from stele.domain.targeting import Place
from tests.capgen import CapSpec, InfoSpec, cap_xml, make_alert

DATA = Path(__file__).parent.parent / "data" / "cap"
T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")


def multilang(*langs: str):
    spec = CapSpec(infos=[InfoSpec(language=lang, headline=f"headline {lang}") for lang in langs])
    return parse_alert(cap_xml(spec))


def test_language_by_configured_list_case_insensitive_prefix() -> None:
    alert = multilang("de-DE", "EN", "tr-TR", "ar")
    assert choose_info(alert, ["tr"]).headline == "headline tr-TR"
    assert choose_info(alert, ["en-GB", "de"]).headline == "headline EN"
    assert choose_info(alert, ["AR"]).headline == "headline ar"


def test_language_falls_back_to_german_then_english_then_first() -> None:
    assert choose_info(multilang("en", "DE", "fr"), ["pl"]).language == "DE"
    assert choose_info(multilang("fr", "en-US"), ["pl"]).language == "en-US"
    assert choose_info(multilang("fr", "es"), ["pl"]).language == "fr"


def test_rotation_order_puts_preferences_first() -> None:
    order = [i.language for i in infos_by_preference(multilang("fr", "en", "de-DE", "tr"), ["tr"])]
    assert order == ["tr", "de-DE", "en", "fr"]


def test_real_dwd_multilang_picks_each_language() -> None:
    alert = parse_alert((DATA / "07_dwd_cap12_xml_update_multilang_starkregen.xml").read_bytes())
    assert choose_info(alert, ["de"]).language == "de-DE"
    assert choose_info(alert, ["ar"]).language == "ar"
    assert choose_info(alert, ["tr"]).language == "tr"
    assert choose_info(alert, ["xx"]).language == "de-DE"


def test_activity_window_effective_to_expires() -> None:
    alert = make_alert(effective="2026-11-22T15:00:00+01:00", expires="2026-11-22T16:00:00+01:00")
    assert not is_active(alert, T0)
    assert is_active(alert, T0 + timedelta(hours=1))  # effective <= now
    assert is_active(alert, T0 + timedelta(hours=2) - timedelta(seconds=1))
    assert not is_active(alert, T0 + timedelta(hours=2))  # now < expires, exactly


def test_no_expires_stays_active_until_cancelled() -> None:
    alert = make_alert()
    assert is_active(alert, T0 + timedelta(days=400))


def test_effective_defaults_to_sent() -> None:
    alert = make_alert(sent="2026-11-22T14:00:00+01:00")
    assert not is_active(alert, T0 - timedelta(minutes=1))
    assert is_active(alert, T0)


def test_future_sent_from_a_stele_with_a_wrong_clock_is_still_shown() -> None:
    """A stele without RTC may be behind; a message 'from the future' must still show."""
    alert = make_alert(sent="2026-11-22T14:00:00+01:00")
    stele_clock = T0 - timedelta(days=3)
    assert is_active(alert, stele_clock, received=stele_clock)
    assert decide_layout(alert, HERE, stele_clock, received=stele_clock) is Layout.TAKEOVER


def test_real_dwd_warning_on_a_stele_three_hours_behind_is_shown_at_once() -> None:
    """DWD sets `effective` = `sent`: read on a clock that is behind, it used to lie in the
    future and the warning stayed hidden until the clock caught up."""
    alert = parse_alert((DATA / "07_dwd_cap12_xml_update_multilang_starkregen.xml").read_bytes())
    assert alert.infos[0].effective == alert.sent
    received = alert.sent - timedelta(hours=3)
    assert clock_lag(alert, received) == timedelta(hours=3)
    assert is_active(alert, received, received)
    # It ends at its own `expires` on the stele's clock: never early, at most the lag late.
    expires = alert.infos[0].expires
    assert expires is not None
    assert is_active(alert, expires - timedelta(seconds=1), received)
    assert not is_active(alert, expires, received)


def test_a_later_effective_keeps_its_distance_from_sent_on_a_clock_that_is_behind() -> None:
    alert = make_alert(sent="2026-11-22T14:00:00+01:00", effective="2026-11-22T16:00:00+01:00")
    received = T0 - timedelta(hours=5)  # the stele's clock is 5 h behind
    assert not is_active(alert, received + timedelta(hours=2) - timedelta(seconds=1), received)
    assert is_active(alert, received + timedelta(hours=2), received)


def test_no_lag_from_a_message_sent_before_it_arrived() -> None:
    alert = make_alert(sent="2026-11-22T14:00:00+01:00", effective="2026-11-22T15:00:00+01:00")
    assert clock_lag(alert, T0 + timedelta(minutes=5)) == timedelta(0)
    assert clock_lag(alert, None) == timedelta(0)
    assert not is_active(alert, T0 + timedelta(minutes=5), T0 + timedelta(minutes=5))


@given(
    behind=st.integers(0, 400 * 24 * 60),
    effective=st.one_of(st.none(), st.integers(-24 * 60, 0)),
    onset=st.one_of(st.none(), st.integers(0, 24 * 60)),
    expires=st.one_of(st.none(), st.integers(1, 48 * 60)),
)
def test_a_started_warning_is_never_held_back_by_a_clock_that_is_behind(
    behind: int, effective: int | None, onset: int | None, expires: int | None
) -> None:
    """A warning that had started when it was sent is active on arrival however far behind
    the stele's clock is, and stays active for at least its own duration."""
    minutes = lambda m: None if m is None else (T0 + timedelta(minutes=m)).isoformat()  # noqa: E731
    alert = make_alert(
        sent=T0.isoformat(),
        effective=minutes(effective),
        onset=minutes(onset),
        expires=minutes(expires),
    )
    received = T0 - timedelta(minutes=behind)
    assert is_active(alert, received, received)
    if expires is not None:
        assert is_active(alert, received + timedelta(minutes=expires, seconds=-1), received)
    if onset is not None:
        assert onset_of(alert.infos[0], alert, received) == received + timedelta(minutes=onset)


def test_alert_active_while_any_info_block_is() -> None:
    spec = CapSpec(
        infos=[
            InfoSpec(expires="2026-11-22T15:00:00+01:00"),
            InfoSpec(language="en", expires="2026-11-22T17:00:00+01:00"),
        ]
    )
    alert = parse_alert(cap_xml(spec))
    assert is_active(alert, T0 + timedelta(hours=2))


@pytest.mark.parametrize(
    ("severity", "layout"),
    [("Extreme", "takeover"), ("Severe", "takeover"), ("Moderate", "banner"), ("Minor", "loop")],
)
def test_layout_by_level(severity: str, layout: str) -> None:
    assert decide_layout(make_alert(severity=severity), HERE, T0).value == layout


def test_layout_parameter_overrides_level() -> None:
    alert = make_alert(severity="Minor", parameters=(("layout", "takeover"),))
    assert decide_layout(alert, HERE, T0) is Layout.TAKEOVER
    bogus = make_alert(severity="Minor", parameters=(("layout", "fireworks"),))
    assert decide_layout(bogus, HERE, T0) is Layout.LOOP


def test_layout_table_is_configurable() -> None:
    policy = Policy(layouts={Severity.MODERATE: Layout.TAKEOVER})
    assert decide_layout(make_alert(severity="Moderate"), HERE, T0, policy=policy) is Layout.TAKEOVER


@pytest.mark.parametrize("status", ["Test", "System", "Draft"])
def test_non_public_statuses_are_never_shown(status: str) -> None:
    assert decide_layout(make_alert(status=status), HERE, T0) is Layout.NONE


def test_exercise_is_shown() -> None:
    assert decide_layout(make_alert(status="Exercise"), HERE, T0) is Layout.TAKEOVER


@pytest.mark.parametrize("scope", ["Restricted", "Private"])
def test_only_public_scope_is_shown(scope: str) -> None:
    assert decide_layout(make_alert(scope=scope), HERE, T0) is Layout.NONE


@pytest.mark.parametrize("msg_type", ["Cancel", "Error", "Ack"])
def test_ending_messages_have_no_layout_even_when_extreme(msg_type: str) -> None:
    alert = make_alert(msg_type=msg_type, severity="Extreme", references="x,DE-1,2026-11-22T13:00:00+01:00")
    assert decide_layout(alert, HERE, T0) is Layout.NONE


def test_real_extreme_cancel_never_takes_over() -> None:
    name = "04_mowas_cancel_extreme_stromausfall_DE-NW-SO-SE089-20220218-89-001.json"
    alert = parse_alert((DATA / name).read_bytes())
    at = datetime.fromisoformat("2022-02-18T22:00:00+01:00")
    assert decide_layout(alert, None, at) is Layout.NONE


def test_warntag_probewarnung_is_shown_like_a_real_alert() -> None:
    alert = make_alert(headline="Probewarnung", severity="Severe", status="Actual")
    assert decide_layout(alert, HERE, T0) is Layout.TAKEOVER


def test_dwd_test_event_code_is_treated_as_test_and_hidden() -> None:
    for code in ("98", "99"):
        alert = make_alert(event_codes=(("II", code),))
        assert alert.status.value == "Test"
        assert decide_layout(alert, HERE, T0) is Layout.NONE


def test_not_applying_means_no_layout() -> None:
    alert = make_alert(ars=("091620000000",))
    assert decide_layout(alert, HERE, T0) is Layout.NONE
    assert decide_layout(alert, None, T0) is Layout.TAKEOVER  # no place given: not judged


def _key(**kw: object):
    alert = make_alert(**kw)
    return display_order_key(alert, choose_info(alert, ["de"]))


def test_display_order() -> None:
    ranked = [
        _key(identifier="a", severity="Extreme"),
        _key(identifier="b", severity="Severe", urgency="Immediate"),
        _key(identifier="c", severity="Severe", urgency="Expected", certainty="Observed"),
        _key(identifier="d", severity="Severe", urgency="Expected", certainty="Likely",
             sent="2026-11-22T14:30:00+01:00"),
        _key(identifier="e", severity="Severe", urgency="Expected", certainty="Likely"),
        _key(identifier="f", severity="Severe", urgency="Expected", certainty="Likely"),
        _key(identifier="g", severity="Minor"),
        _key(identifier="h", severity="Extreme", status="Exercise"),
    ]
    assert sorted(ranked) == ranked
