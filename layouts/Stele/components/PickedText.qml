import QtQml
import Stele

// One alert's text in the screen clock's language (ScreenClock.pick), its fields as typed
// properties: the screens bind to these instead of looking keys up in a map.
QtObject {
    property var texts: []

    readonly property var picked: ScreenClock.pick(texts)
    readonly property string language: picked.language !== undefined ? String(picked.language)
                                                                      : "de"
    readonly property bool rtl: picked.rtl === true
    readonly property string headline: picked.headline !== undefined ? String(picked.headline) : ""
    readonly property string event: picked.event !== undefined ? String(picked.event) : ""
    readonly property string instruction: picked.instruction !== undefined
                                          ? String(picked.instruction) : ""
    readonly property string description: picked.description !== undefined
                                          ? String(picked.description) : ""
    readonly property string senderName: picked.senderName !== undefined
                                         ? String(picked.senderName) : ""
    readonly property string area: picked.area !== undefined ? String(picked.area) : ""
}
