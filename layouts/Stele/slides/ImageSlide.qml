import QtQuick
import Stele

// A picture: whole and letterboxed in the theme's colour ("contain"), or filling the stage
// and cropped ("cover"). Decoded off the GUI thread at the size it is drawn; shown only once
// decoded. A title and QR code, when given, stand on a band at the bottom.
ContentSlide {
    id: slide

    property color backdrop: Theme.letterbox

    ready: picture.status === Image.Ready
    failure: picture.status === Image.Error ? "the picture could not be decoded"
           : picture.status === Image.Null && String(entry.source || "") === "" ? "no picture"
           : ""
    readUntil: caption.visible ? ScreenClock.readUntil([captionText]) : 0

    Rectangle {
        anchors.fill: parent
        color: slide.backdrop
    }
    Image {
        id: picture
        objectName: "contentPicture"
        anchors.fill: parent
        source: slide.entry.source !== undefined ? slide.entry.source : ""
        fillMode: slide.entry.fit === "cover" ? Image.PreserveAspectCrop : Image.PreserveAspectFit
        // Decode at the drawn size: a 24-megapixel photo costs the stage's pixels, not its own.
        sourceSize.width: Math.max(1, width)
        sourceSize.height: Math.max(1, height)
        asynchronous: true
        cache: false
        clip: true
        smooth: true
        mipmap: false
    }
    Rectangle {
        id: caption
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        visible: slide.title !== "" || qr.visible
        height: Math.max(captionText.height, qr.visible ? qr.height : 0) + 2 * Theme.contentCaptionPad
        color: Theme.captionBand

        PagedText {
            id: captionText
            x: Theme.contentCaptionPad
            y: Theme.contentCaptionPad
            width: parent.width - 2 * Theme.contentCaptionPad - (qr.visible ? qr.width + Theme.gap : 0)
            maxLines: 2
            text: slide.title
            font.pixelSize: Theme.contentBodySize
            font.bold: true
        }
        QrCode {
            id: qr
            anchors.right: parent.right
            anchors.rightMargin: Theme.contentCaptionPad
            y: Theme.contentCaptionPad
            size: Theme.qrSmallSize
            source: slide.entry.qrSource !== undefined ? slide.entry.qrSource : ""
            caption: slide.entry.qrCaption !== undefined ? slide.entry.qrCaption : ""
            captionColor: Theme.text
        }
    }
}
