pragma Singleton
import QtQuick

// The one clock of the whole screen: which language everything on the glass shows, and the
// time pages count in. Each alert and all-clear shows its text in `language` when it has it,
// else its preferred one (pick), so two languages are never on the glass at once.
// A language stays at least Theme.languageSeconds, and until `holdUntil` (Main: when every
// shown text has been read to its last page); then the next one comes on. The turn starts
// again at the first language whenever the screen's languages change.
QtObject {
    id: clock

    property var languages: []  // Main: the bridge's, in configured order
    property real holdUntil: 0  // Main: ms since the epoch, like `now`
    property int index: 0
    property real now: Date.now()
    // False while the stele knows its clock is behind (ScreenBridge.timeKnown): clocks and
    // dates on the glass are hidden then rather than wrong.
    property bool timeKnown: true
    property real since: now    // when the current language came on
    readonly property string language: languages.length > 0
                                       ? String(languages[index % languages.length]) : ""

    readonly property Timer ticker: Timer {
        interval: Theme.clockTickMs
        running: true
        repeat: true
        onTriggered: clock.tick()
    }

    onLanguagesChanged: {
        index = 0
        now = Date.now()
        since = now
    }

    function tick() {
        now = Date.now()
        if (languages.length > 1 && now >= Math.max(since + Theme.languageSeconds * 1000, holdUntil)) {
            index = (index + 1) % languages.length
            since = now
        }
    }

    // The text of `texts` (an alert's AlertTextEntry list, preferred first) to show now; null
    // for none.
    function pick(texts: var): AlertTextEntry {
        if (!texts || texts.length === 0)
            return null
        for (let i = 0; i < texts.length; ++i) {
            const text = texts[i] as AlertTextEntry
            if (text && text.language === language)
                return text
        }
        return texts[0] as AlertTextEntry
    }

    // When each of `texts` (the PagedText items of a screen) has been shown long enough to
    // read it, through its last page. They page side by side, so the longest one counts.
    function readUntil(texts: var): real {
        let until = 0
        for (const t of texts) {
            if (t && t.visible && t.text !== "")
                until = Math.max(until, t.epoch + t.cycleMs)
        }
        return until
    }
}
