import QtQuick
import Stele

// Rotates through the language versions of one alert; restarts at the preferred
// language whenever the alert (its list of texts) changes.
Timer {
    id: cycler

    property var texts: []
    property int index: 0
    readonly property int count: texts ? texts.length : 0
    readonly property var current: count > 0 ? texts[Math.min(index, count - 1)] : ({})
    readonly property string language: current.language !== undefined ? current.language : "de"
    readonly property bool rtl: current.rtl === true

    interval: Theme.languageSeconds * 1000
    repeat: true
    running: count > 1
    onTextsChanged: {
        index = 0
        if (running)
            restart()
    }
    onTriggered: index = (index + 1) % Math.max(1, count)
}
