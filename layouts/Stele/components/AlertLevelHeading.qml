import QtQuick
import Stele

// The heading beside an alert's pictogram, the same on the takeover and on an alert slide:
// the warning level in capitals, the event, and (takeover) the sender, in the screen's
// language, each paged rather than cut.
Column {
    id: heading

    required property string severity
    required property string language
    required property PickedText picked
    property color textColor: Theme.onAlert
    property int levelSize: Theme.labelSize
    property int eventLines: 2
    property bool showSender: false
    property alias event: event
    property alias sender: sender

    spacing: Theme.tightGap

    SteleText {
        width: parent.width
        text: Strings.t(heading.severity, heading.language).toUpperCase()
        color: heading.textColor
        font.pixelSize: heading.levelSize
        font.bold: true
        font.letterSpacing: Theme.tracking
        elide: Text.ElideNone
    }
    PagedText {
        id: event
        width: parent.width
        maxLines: heading.eventLines
        text: heading.picked.event
        visible: text !== ""
        color: heading.textColor
        font.pixelSize: Theme.eventSize
    }
    PagedText {
        id: sender
        width: parent.width
        maxLines: 2
        text: heading.showSender ? heading.picked.senderName : ""
        visible: text !== ""
        color: heading.textColor
        font.pixelSize: Theme.metaSize
    }
}
