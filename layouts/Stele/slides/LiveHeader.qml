import QtQuick
import Stele

// The head of a live-data slide: its title, and which entry of how many is showing.
Item {
    id: head

    property string text: ""
    property int page: 0
    property int count: 1

    implicitHeight: label.height

    PagedText {
        id: label
        width: parent.width - (mark.visible ? mark.width + Theme.gap : 0)
        maxLines: 1
        text: head.text
        color: Theme.accent
        font.pixelSize: Theme.contentTitleSize
        font.bold: true
    }
    PageMark {
        id: mark
        anchors.right: parent.right
        anchors.baseline: label.bottom
        page: head.page
        count: head.count
        color: Theme.textMuted
    }
}
