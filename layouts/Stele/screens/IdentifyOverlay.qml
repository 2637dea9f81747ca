import QtQuick
import Stele

// Lets a technician see at a glance which device this is.
Rectangle {
    id: overlay

    property string deviceId: ""

    color: Theme.identifyBackground
    border.color: Theme.identifyAccent
    border.width: Theme.identifyBorder

    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin - 2 * overlay.border.width
        spacing: Theme.gap

        SteleText {
            width: parent.width
            text: "Gerät / Device"
            color: Theme.identifyAccent
            font.pixelSize: Theme.slideTitleSize
            font.bold: true
            horizontalAlignment: Text.AlignHCenter
            maximumLineCount: 1
        }
        SteleText {
            width: parent.width
            height: Theme.identifySize * 2.4
            text: overlay.deviceId
            font.pixelSize: Theme.identifySize
            font.bold: true
            minimumPixelSize: Theme.minimumFitSize
            wrapMode: Text.NoWrap
            fontSizeMode: Text.Fit
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
    }
}
