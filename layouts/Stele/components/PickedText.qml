import QtQml
import Stele

// One alert's text in the screen clock's language (ScreenClock.pick): the fields of that
// AlertTextEntry, "" while the alert has none (the screens exist before any alert does).
QtObject {
    property var texts: []  // AlertTextEntry objects (AlertEntry.texts)

    readonly property AlertTextEntry picked: ScreenClock.pick(texts)
    readonly property string language: picked ? picked.language : "de"
    readonly property bool rtl: picked ? picked.rtl : false
    readonly property string headline: picked ? picked.headline : ""
    readonly property string event: picked ? picked.eventName : ""
    readonly property string instruction: picked ? picked.instruction : ""
    readonly property string description: picked ? picked.description : ""
    readonly property string senderName: picked ? picked.senderName : ""
    readonly property string area: picked ? picked.area : ""
}
