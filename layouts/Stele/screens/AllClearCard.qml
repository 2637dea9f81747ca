import QtQuick
import Stele

// "Entwarnung": a calm green card with the cancel's headline and text, shown for a while
// after a warning was withdrawn; in the screen clock's language, paged where it is long.
Rectangle {
    id: card

    required property AllClearEntry allClear  // ScreenBridge: identifier "" for none

    readonly property PickedText t: PickedText { texts: card.allClear.texts }
    readonly property string language: t.language
    readonly property real readUntil: ScreenClock.readUntil([headline, description, sender])

    radius: Theme.radius
    color: Theme.allClear

    Item {
        id: content
        anchors.fill: parent
        anchors.margins: Theme.gap * 1.5
        LayoutMirroring.enabled: card.t.rtl
        LayoutMirroring.childrenInherit: true

        AlertBadge {
            id: badge
            anchors.left: parent.left
            width: Theme.slideBadgeSize
            height: Theme.slideBadgeSize
            category: "AllClear"
            symbolColor: Theme.allClear
        }
        SteleText {
            id: title
            anchors.left: badge.right
            anchors.leftMargin: Theme.gap
            anchors.right: parent.right
            anchors.verticalCenter: badge.verticalCenter
            text: Strings.t("allClear", card.language).toUpperCase()
            color: Theme.onAlert
            font.pixelSize: Theme.allClearTitleSize
            font.bold: true
            font.letterSpacing: Theme.tracking
            elide: Text.ElideNone
        }
        PagedText {
            id: headline
            y: Math.max(badge.height, title.height) + Theme.gap
            width: parent.width
            maxHeight: (parent.height - y) * 0.45
            // The language version when there is one, else the cancel's own headline.
            text: card.t.headline !== "" ? card.t.headline : card.allClear.headline
            color: Theme.onAlert
            font.pixelSize: Theme.allClearHeadlineSize
            font.bold: true
        }
        PagedText {
            id: description
            y: headline.y + headline.height + Theme.gap
            width: parent.width
            maxHeight: (sender.visible ? sender.y : parent.height) - Theme.gap - y
            text: card.t.description
            color: Theme.onAlert
            font.pixelSize: Theme.allClearTextSize
        }
        PagedText {
            id: sender
            anchors.bottom: parent.bottom
            width: parent.width
            maxLines: 2
            text: card.t.senderName
            visible: text !== ""
            color: Theme.onAlert
            font.pixelSize: Theme.metaSize
        }
    }
}
