import QtQuick
import Stele

// The only text element of the module: plain text (alerts are untrusted input, never
// rich text), wrapping and eliding so nothing runs off a screen that nobody can scroll.
Text {
    textFormat: Text.PlainText
    wrapMode: Text.Wrap
    elide: Text.ElideRight
    color: Theme.text
    font.family: Theme.fontFamily
    font.pixelSize: Theme.slideBodySize
    horizontalAlignment: Text.AlignLeft
    verticalAlignment: Text.AlignTop
    minimumPixelSize: Math.max(8, Math.round(font.pixelSize / 2))
}
