import QtQuick
import Stele

// Text at its full size when it fits into `maxHeight`, otherwise shrunk (down to
// minimumPixelSize, then elided). Its height is the natural height, capped: so short
// texts take little room and long ones never overflow.
SteleText {
    id: fit

    property real maxHeight: 100000
    readonly property real naturalHeight: text === "" ? 0 : measure.implicitHeight

    height: Math.min(naturalHeight, maxHeight)
    // Less room than one line at the smallest size: show nothing rather than spill over.
    visible: maxHeight >= minimumPixelSize * 1.3
    fontSizeMode: Text.Fit

    // Same text at full size, never drawn: its wrapped height is the natural height.
    SteleText {
        id: measure
        visible: false
        width: fit.width
        text: fit.text
        font: fit.font
        lineHeight: fit.lineHeight
        wrapMode: fit.wrapMode
        elide: Text.ElideNone
    }
}
