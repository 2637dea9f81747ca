import QtQuick
import Stele

// QR code for the official web link on a white plate (the quiet zone is in the image).
Column {
    id: qr

    property string source: ""
    property string caption: ""
    property color captionColor: Theme.onAlert
    property int size: Theme.qrSize

    visible: source !== ""
    spacing: Theme.rowGap

    Rectangle {
        width: qr.size
        height: qr.size
        radius: Theme.qrRadius
        color: Theme.qrBackground

        Image {
            anchors.fill: parent
            anchors.margins: Theme.qrPadding
            source: qr.source
            sourceSize.width: width
            sourceSize.height: height
            fillMode: Image.PreserveAspectFit
            smooth: false
            cache: true
            // Off the GUI thread: the alert must not wait for its QR code (segno is Python).
            asynchronous: true
        }
    }
    SteleText {
        width: qr.size
        text: qr.caption
        visible: text !== ""
        color: qr.captionColor
        font.pixelSize: Theme.labelSize
        font.bold: true
        wrapMode: Text.NoWrap
        fontSizeMode: Text.HorizontalFit
        horizontalAlignment: Text.AlignHCenter
    }
}
