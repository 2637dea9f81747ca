import QtQuick
import Stele

// A title and plain text (paragraphs separated by blank lines), paged where it is long,
// with its QR code beside the title when given.
ContentSlide {
    id: slide

    readUntil: ScreenClock.readUntil([titleText, bodyText])

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: Theme.surface
    }
    Item {
        anchors.fill: parent
        anchors.margins: Theme.gap * 1.25

        QrCode {
            id: qr
            anchors.right: parent.right
            size: Theme.qrSmallSize
            source: slide.entry.qrSource !== undefined ? slide.entry.qrSource : ""
            caption: slide.entry.qrCaption !== undefined ? slide.entry.qrCaption : ""
            captionColor: Theme.text
        }
        PagedText {
            id: titleText
            width: parent.width - (qr.visible ? qr.width + Theme.gap : 0)
            maxLines: 3
            text: slide.title
            color: Theme.accent
            font.pixelSize: Theme.contentTitleSize
            font.bold: true
        }
        PagedText {
            id: bodyText
            objectName: "contentBody"
            readonly property real bodyTop: Math.max(titleText.height, qr.visible ? qr.height : 0) + Theme.gap
            y: bodyTop
            width: parent.width
            maxHeight: parent.height - bodyTop
            text: slide.body
            font.pixelSize: Theme.contentBodySize
        }
    }
}
