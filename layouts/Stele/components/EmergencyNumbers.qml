import QtQuick
import Stele

// The emergency numbers of the theme (112, 110, ...) as a band: on every everyday screen.
// At legible sizes they wrap onto a second row in a narrow column, never shrink.
Rectangle {
    id: band

    implicitHeight: numbers.implicitHeight + 2 * Theme.smallGap
    height: implicitHeight
    color: Theme.surface

    Flow {
        id: numbers
        x: Math.max(Theme.smallGap, (band.width - implicitWidth) / 2)
        y: Theme.smallGap
        width: band.width - 2 * Theme.smallGap
        spacing: Theme.gap
        Repeater {
            model: Theme.emergencyNumbers
            delegate: Row {
                id: entry
                required property var modelData
                spacing: Theme.rowGap
                SteleText {
                    anchors.baseline: number.baseline
                    text: entry.modelData.label
                    color: Theme.textMuted
                    font.pixelSize: Theme.emergencyLabelSize
                    wrapMode: Text.NoWrap
                    elide: Text.ElideNone
                }
                SteleText {
                    id: number
                    text: entry.modelData.number
                    font.pixelSize: Theme.emergencyNumberSize
                    font.bold: true
                    wrapMode: Text.NoWrap
                    elide: Text.ElideNone
                }
            }
        }
    }
}
