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
        anchors.margins: Theme.errorMargin
        spacing: Theme.errorSpacing

        SteleText {
            width: parent.width
            text: "Konfigurationsfehler\nConfiguration error"
            color: Theme.accent
            font.pixelSize: Theme.errorTitleSize
            font.bold: true
        }

        SteleText {
            width: parent.width
            text: "Diese Stele zeigt keine Inhalte, bis die Konfiguration korrigiert ist. "
                + "Prüfen mit: stele config check"
            color: Theme.textMuted
            font.pixelSize: Theme.errorTextSize
        }

        Repeater {
            model: root.lines

            SteleText {
                required property string modelData

                width: parent.width
                text: modelData
                color: Theme.text
                font.pixelSize: Theme.errorLineSize
                font.family: "DejaVu Sans Mono"
            }
        }

        SteleText {
            width: parent.width
            text: root.hostName
            color: Theme.textMuted
            font.pixelSize: Theme.errorHintSize
        }
    }
}
