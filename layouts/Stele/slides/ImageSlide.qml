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

    // The picture's own pixels, read from its header when the playlist was made (0: unknown).
    readonly property int pixelWidth: Number(entry.pixelWidth || 0)
    readonly property int pixelHeight: Number(entry.pixelHeight || 0)
    readonly property bool cover: entry.fit === "cover"
    // How much the picture is scaled on the glass (0: its size is unknown) ...
    readonly property real drawScale: pixelWidth > 0 && pixelHeight > 0 && width > 0 && height > 0
        ? (cover ? Math.max(width / pixelWidth, height / pixelHeight)
                 : Math.min(width / pixelWidth, height / pixelHeight))
        : 0
    // ... and how much it is decoded at: scaled down to the drawn size, never up (the GPU
    // scales up for free; a decoded pixel costs 4 bytes for as long as the slide is loaded).
    readonly property real decodeScale: Math.min(1, drawScale)
    readonly property size decodedSize: Qt.size(Math.round(pixelWidth * decodeScale),
                                                 Math.round(pixelHeight * decodeScale))
    // The centred part of the decoded picture that a "cover" stage shows (decoded pixels).
    readonly property rect visiblePart: {
        if (drawScale <= 0)
            return Qt.rect(0, 0, 0, 0)  // size unknown: nothing clipped
        const shownWidth = Math.min(decodedSize.width, Math.ceil(width / drawScale * decodeScale))
        const shownHeight = Math.min(decodedSize.height, Math.ceil(height / drawScale * decodeScale))
        return Qt.rect(Math.floor((decodedSize.width - shownWidth) / 2),
                       Math.floor((decodedSize.height - shownHeight) / 2), shownWidth, shownHeight)
    }

    Rectangle {
        anchors.fill: parent
        color: slide.backdrop
    }
    Image {
        id: picture
        objectName: "contentPicture"
        anchors.fill: parent
        source: slide.entry.source !== undefined ? slide.entry.source : ""
        fillMode: slide.cover ? Image.PreserveAspectCrop : Image.PreserveAspectFit
        // Decode at the drawn size: a 24-megapixel photo costs the stage's pixels, not its own.
        // Both dimensions and a preserving fillMode make Qt decode so the picture *covers*
        // the box, even for "contain" (a full-HD photo on a portrait stage came out 3413 x
        // 1920, 26 MB): the exact decoded size is given when the picture's size is known.
        sourceSize: slide.drawScale > 0
            ? Qt.size(Math.max(1, slide.decodedSize.width), Math.max(1, slide.decodedSize.height))
            : Qt.size(Math.max(1, width), Math.max(1, height))
        // "cover": only the part that is on the glass is decoded (in decoded pixels).
        sourceClipRect: slide.cover ? slide.visiblePart : Qt.rect(0, 0, 0, 0)
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
