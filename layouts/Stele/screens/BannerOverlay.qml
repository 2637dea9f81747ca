import QtQuick
import Stele

// Persistent band for a moderate warning; the normal screen keeps running above it
// (Main reserves the band's height at the bottom of the normal screen).
Rectangle {
    id: banner

    property var alert: ({})

    readonly property string severity: alert.severity !== undefined ? alert.severity
                                                                     : "Moderate"
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property bool exercise: alert.exercise === true
    readonly property var t: lang.current
    readonly property int bandHeight: exercise ? Theme.px(64) : 0
    // A flat band (landscape) has the QR code beside the headline, not below it.
    readonly property bool flat: width > height * 3

    function field(map: var, key: string): string {
        return map && map[key] !== undefined ? String(map[key]) : ""
    }

    color: Theme.levelColor(severity)

    LanguageCycler {
        id: lang
        texts: banner.alert.texts !== undefined ? banner.alert.texts : []
    }

    // Marks the edge to the normal content.
    Rectangle {
        id: edge
        y: banner.bandHeight
        width: parent.width
        height: Theme.px(10)
        color: Theme.exerciseBlack
    }

    Item {
        id: content

        x: Theme.margin
        y: edge.y + edge.height + Theme.gap
        width: parent.width - 2 * Theme.margin
        height: parent.height - y - Theme.gap
        LayoutMirroring.enabled: lang.rtl
        LayoutMirroring.childrenInherit: true

        AlertBadge {
            id: badge
            anchors.left: parent.left
            width: Theme.px(150)
            height: Theme.px(150)
            category: banner.field(banner.alert, "category")
            color: banner.fg
            symbolColor: banner.color
        }
        LanguageTabs {
            id: tabs
            anchors.right: parent.right
            texts: lang.texts
            current: lang.index
            color: banner.fg
            activeText: banner.color
        }
        Column {
            id: heading
            anchors.left: badge.right
            anchors.leftMargin: Theme.gap
            anchors.right: tabs.visible ? tabs.left : parent.right
            anchors.rightMargin: (tabs.visible ? Theme.gap : 0)
                                 + (banner.flat && qr.visible ? qr.width + Theme.gap : 0)
            spacing: Theme.px(6)

            SteleText {
                id: label
                width: parent.width
                text: [Strings.t(banner.severity, lang.language).toUpperCase(),
                       banner.field(banner.t, "event")].filter(s => s !== "").join(" · ")
                color: banner.fg
                font.pixelSize: Theme.labelSize
                font.bold: true
                font.letterSpacing: Theme.px(2)
                maximumLineCount: 2
            }
            FitText {
                width: parent.width
                maxHeight: Math.max(badge.height - label.height, content.height * 0.45 - label.height)
                text: banner.field(banner.t, "headline")
                color: banner.fg
                font.pixelSize: Theme.bannerHeadlineSize
                font.bold: true
                minimumPixelSize: Theme.px(36)
            }
        }

        QrCode {
            id: qr
            anchors.right: parent.right
            anchors.bottom: parent.bottom
            source: banner.field(banner.alert, "qrSource")
            size: Theme.px(170)
            caption: Strings.t("moreInfo", lang.language)
            captionColor: banner.fg
        }
        SteleText {
            id: footer
            anchors.left: parent.left
            anchors.bottom: parent.bottom
            width: qr.visible ? parent.width - qr.width - Theme.gap : parent.width
            text: [banner.field(banner.t, "senderName"),
                   Strings.at("asOf", lang.language, banner.field(banner.alert, "sentTime")),
                   banner.field(banner.t, "area")].filter(s => s !== "").join(" · ")
            color: banner.fg
            font.pixelSize: Theme.px(28)
            maximumLineCount: 2
        }
        // Instruction first: it is what a passer-by can act on.
        FitText {
            id: instruction
            anchors.left: parent.left
            y: Math.max(badge.height, heading.height) + Theme.gap
            width: footer.width
            maxHeight: Math.max(0, footer.y - y - Theme.smallGap)
            text: banner.field(banner.t, "instruction") !== ""
                  ? banner.field(banner.t, "instruction")
                  : banner.field(banner.t, "description")
            color: banner.fg
            font.pixelSize: Theme.bannerTextSize
            minimumPixelSize: Theme.px(24)
        }
    }

    ExerciseStripe {
        anchors.top: parent.top
        width: parent.width
        height: banner.bandHeight
        visible: banner.exercise
    }
}
