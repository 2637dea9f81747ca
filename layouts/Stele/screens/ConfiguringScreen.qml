import QtQuick
import Stele

// The OSCA backend's "wird gerade konfiguriert" (docs/osca.md): shown in the content's
// place while the stele waits for activation in the Stele Configurator, with its name so
// the administrator can find the row. Designed, never black; far-reading letter sizes.
Rectangle {
    id: configuring

    required property string message
    required property string steleName

    color: Theme.surface
    radius: Theme.radius

    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.gap

        SteleText {
            objectName: "configuringMessage"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: configuring.message
            font.pixelSize: Theme.contentTitleSize
            font.bold: true
        }
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Theme.accentBarWidth * 8
            height: Theme.accentBarWidth
            radius: height / 2
            color: Theme.accent
            visible: configuring.steleName !== ""
        }
        SteleText {
            objectName: "configuringName"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: configuring.steleName
            color: Theme.accent
            font.pixelSize: Theme.contentBodySize
            visible: text !== ""
            maximumLineCount: 2
        }
    }
}
