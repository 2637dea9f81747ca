import QtQuick
import Stele

// Title of a slide with the accent bar in front of it.
Row {
    id: title

    property alias text: label.text
    property alias subtitle: sub.text

    spacing: Theme.gap

    Rectangle {
        width: Theme.accentBarWidth
        height: column.height
        radius: width / 2
        color: Theme.accent
    }
    Column {
        id: column
        width: title.width - Theme.accentBarWidth - Theme.gap
        spacing: Theme.tinyGap

        SteleText {
            id: label
            width: parent.width
            font.pixelSize: Theme.slideTitleSize
            font.bold: true
            wrapMode: Text.NoWrap
            fontSizeMode: Text.HorizontalFit
        }
        SteleText {
            id: sub
            width: parent.width
            visible: text !== ""
            color: Theme.textMuted
            font.pixelSize: Theme.slideSmallSize
            maximumLineCount: 1
        }
    }
}
