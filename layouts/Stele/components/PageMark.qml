import QtQuick
import Stele

// "2/3": which page of a longer text or list is showing, so readers know more will follow.
Text {
    property int page: 0  // from 0
    property int count: 1

    visible: count > 1
    text: (page + 1) + "/" + count
    textFormat: Text.PlainText
    font.family: Theme.fontFamily
    font.pixelSize: Theme.pageMarkSize
    font.bold: true
    verticalAlignment: Text.AlignBottom
}
