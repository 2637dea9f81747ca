import QtQuick

// Shown instead of the kiosk when the configuration is invalid: a technician at the stele
// reads what is wrong, and the stele is neither black nor restarting in a loop.
Item {
    id: root

    required property var lines
    required property string hostName

    Binding {
        target: Theme
        property: "scale"
        value: Math.max(0.25, Math.min(root.width, root.height) / 1080)
    }

    Rectangle {
        anchors.fill: parent
        color: Theme.backgroundDeep
    }

    Column {
        anchors.fill: parent
        anchors.margins: Theme.px(64)
        spacing: Theme.px(32)

        SteleText {
            width: parent.width
            text: "Konfigurationsfehler\nConfiguration error"
            color: Theme.accent
            font.pixelSize: Theme.px(72)
            font.bold: true
        }

        SteleText {
            width: parent.width
            text: "Diese Stele zeigt keine Inhalte, bis die Konfiguration korrigiert ist. "
                + "Prüfen mit: stele config check"
            color: Theme.textMuted
            font.pixelSize: Theme.px(36)
        }

        Repeater {
            model: root.lines

            SteleText {
                required property string modelData

                width: parent.width
                text: modelData
                color: Theme.text
                font.pixelSize: Theme.px(30)
                font.family: "DejaVu Sans Mono"
            }
        }

        SteleText {
            width: parent.width
            text: root.hostName
            color: Theme.textMuted
            font.pixelSize: Theme.px(28)
        }
    }
}
