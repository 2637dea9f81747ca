import QtQuick
import Stele

// Shown while the stele has no connection: what is on screen may be out of date.
Rectangle {
    id: badge

    property string staleText: ""

    implicitHeight: Theme.staleHeight
    color: Theme.staleBackground

    SteleText {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        text: "⚠  " + Strings.noConnection + "  ·  " + badge.staleText
        color: Theme.staleText
        font.pixelSize: Theme.staleSize
        font.bold: true
        wrapMode: Text.NoWrap
        fontSizeMode: Text.HorizontalFit
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
}
