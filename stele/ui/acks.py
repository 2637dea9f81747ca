"""The ack: proof that an alert is on the glass, in which form, and safe on disk.

An alert is acked when a presented frame first shows it in a form (takeover, banner, slide,
listed) and when it is also durable, so a power cut after the ack cannot lose it (or at
once if the disk cannot take it: the status then says so). If it later becomes more
prominent, a new ack with the new form follows; an alert that is not visible is not acked.
The contract is in docs/mqtt.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtQuick import QQuickWindow

from stele.domain.presentation import FORM_RANK, Form, Mode, ScreenModel
from stele.ui.presented import PresentationTracker, Presented

log = logging.getLogger("stele.kiosk")


@dataclass(frozen=True, slots=True)
class Visibility:
    """What the glass shows at the moment, as the kiosk's parts know it."""

    screen: ScreenModel
    slide: str = ""  # the alert slide the rotation shows now ("" for none)
    listed: frozenset[str] = frozenset()  # the listed alerts on the list's current page
    covered: bool = False  # a black scene or the boot cover hides everything

    def forms(self) -> dict[str, Form]:
        """Identifier -> form, only for what a passer-by can see right now."""
        if self.covered:
            return {}
        # Slides and list pages are shown one at a time: visible only as the QML reports them.
        forms: dict[str, Form] = {
            i: f
            for i, f in self.screen.forms().items()
            if f not in (Form.SLIDE, Form.LISTED) or (f is Form.LISTED and i in self.listed)
        }
        if self.screen.mode is not Mode.CRISIS and self.slide in {
            v.identifier for v in self.screen.slides
        }:
            forms[self.slide] = Form.SLIDE
        return forms

    def present(self) -> set[str]:
        """Identifiers somewhere on screen or in the rotation (not covered)."""
        return set() if self.covered else set(self.screen.forms())


class AckKeeper(QObject):
    """Decides which alerts need a (new) ack, waits for their frame and their disk write."""

    acked = Signal(object)  # Presented, after the ack was published

    def __init__(
        self,
        window: QQuickWindow,
        publish: Callable[[dict[str, Any]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._publish = publish
        self.tracker = PresentationTracker(window, self._presented, self)
        self._visible = Visibility(ScreenModel(mode=Mode.NORMAL))
        self._forms: dict[str, Form] = {}
        self._acked: dict[str, Form] = {}  # last form acked (or demoted to since)
        self._expected: dict[str, Form] = {}  # armed in the tracker, frame not yet presented
        self._received_ms: dict[str, int | None] = {}
        self._needs: dict[str, int] = {}  # identifier -> book revision that must be on disk
        self._durable = 0
        self._disk_ok = True
        self._parked: dict[str, Presented] = {}  # on the glass, waiting for the disk

    # -- inputs ----------------------------------------------------------------------------

    def received(self, identifier: str, received_ms: int | None, revision: int) -> None:
        """A new alert entered the book at `revision` (0: restored from disk)."""
        if len(self._received_ms) > 10_000:  # forget alerts long gone (a book holds far fewer)
            self._received_ms = {i: self._received_ms[i] for i in self._visible.present()}
        self._received_ms[identifier] = received_ms
        if revision > self._durable:
            self._needs[identifier] = revision

    def show(self, visible: Visibility) -> None:
        """Call right after the scene state showing `visible` was set."""
        self._visible = visible
        self._forms = forms = visible.forms()
        present = visible.present()
        for ident in [i for i in self._acked if i not in present]:
            del self._acked[ident]  # gone from the glass: a comeback is acked again
        for ident in [i for i in self._expected if forms.get(i) != self._expected[i]]:
            del self._expected[ident]
            self.tracker.forget(ident)
        for ident in [i for i in self._parked if forms.get(i) != Form(self._parked[i].layout)]:
            del self._parked[ident]  # its form changed while it waited for the disk: again
        for ident, form in forms.items():
            acked = self._acked.get(ident)
            if acked is not None and FORM_RANK[form] <= FORM_RANK[acked]:
                self._acked[ident] = form  # demoted: a later promotion is acked again
                continue
            if self._expected.get(ident) != form and ident not in self._parked:
                self._expected[ident] = form
                self.tracker.expect(ident, form.value, self._received_ms.get(ident))

    def durable(self, revision: int, ok: bool) -> None:
        """The state writer's result: `revision` is on disk (ok) or the disk failed."""
        self._disk_ok = ok
        if ok:
            self._durable = max(self._durable, revision)
            self._needs = {i: r for i, r in self._needs.items() if r > self._durable}
        parked, self._parked = self._parked, {}
        for p in parked.values():
            self._release(p)

    # -- presented frames ------------------------------------------------------------------

    def _presented(self, p: Presented) -> None:
        if self._expected.get(p.identifier) != Form(p.layout):
            return  # replaced, changed or gone before it reached the glass
        del self._expected[p.identifier]
        self._release(p)

    def _release(self, p: Presented) -> None:
        if self._forms.get(p.identifier) != Form(p.layout):
            return  # no longer shown so; show() armed what it is now, if anything
        if self._disk_ok and self._needs.get(p.identifier, 0) > self._durable:
            self._parked[p.identifier] = p
            return
        self._acked[p.identifier] = Form(p.layout)
        self._publish(
            {
                "identifier": p.identifier,
                "received_ms": p.received_ms,
                "presented_ms": p.presented_ms,
                "layout": p.layout,
            }
        )
        log.info(
            "on the glass as %s%s: %s",
            p.layout,
            "" if self._disk_ok else " (not saved: storage problem)",
            p.identifier,
            extra={"alert": p.identifier},
        )
        self.acked.emit(p)
