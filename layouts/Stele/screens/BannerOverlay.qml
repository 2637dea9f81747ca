import QtQuick
import Stele

// Persistent band for a moderate warning; the normal screen keeps running above it. Main
// gives the band its implicitHeight (at most Theme.bannerMaxShare of the window) and keeps
// the normal screen and its emergency numbers clear of it. Text at legible sizes, paged where
// it does not fit, in the screen clock's language.
// Portrait: pictogram, level and headline, the instruction below, the footer at the foot, the
// QR code beside instruction and footer. Flat (landscape): the level line across the top,
// headline and instruction side by side below it, the QR code in a column of its own.
Rectangle {
    id: banner

    required property AlertEntry alert  // ScreenBridge: identifier "" for none
    property bool flat: false

    readonly property string severity: alert.severity !== "" ? alert.severity : "Moderate"
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property bool exercise: alert.exercise
    readonly property PickedText t: PickedText { texts: banner.alert.texts }
    readonly property string language: t.language
    readonly property int bandHeight: exercise ? Theme.bannerExerciseBandHeight : 0
    readonly property real readUntil: ScreenClock.readUntil([label, headline, instruction, footer])

    // The room the band asks for: the level line on one or two lines, headline on two,
    // instruction on three, footer on two (each paged beyond when the window gives less).
    readonly property real labelHeight: Math.min(label.naturalHeight, label.maxLines * label.lineStep)
    readonly property real headlineHeight: Math.min(headline.naturalHeight, 2 * headline.lineStep)
    readonly property real instructionHeight: Math.min(instruction.naturalHeight, 3 * instruction.lineStep)
    readonly property real footerHeight: Math.min(footer.naturalHeight, 2 * footer.lineStep)

    implicitHeight: content.y + Theme.gap
                    + (flat ? Math.max(badge.height, labelHeight + Theme.smallGap
                                                     + Math.max(headlineHeight, instructionHeight),
                                       tabs.height + Theme.gap + qr.height - footerHeight - Theme.gap)
                              + Theme.gap + footerHeight
                            : Math.max(badge.height, labelHeight + Theme.smallGap + headlineHeight)
                              + Theme.gap
                              + Math.max(instructionHeight + Theme.gap + footerHeight, qr.height))
    color: Theme.levelColor(severity)

    // Marks the edge to the normal content.
    Rectangle {
        id: edge
        y: banner.bandHeight
        width: parent.width
        height: Theme.edgeHeight
        color: Theme.exerciseBlack
    }

    Item {
        id: content

        // Text below the heading: left of the QR code (and, flat, of the tabs above it).
        readonly property real textWidth: qr.visible || (banner.flat && tabs.visible)
                                          ? width - Math.max(qr.visible ? qr.width : 0,
                                                             banner.flat ? tabs.width : 0)
                                            - Theme.gap
                                          : width
        readonly property real textLeft: badge.width + Theme.gap
        readonly property real footerTop: height - footer.height

        // Mirror a box's x for right-to-left languages (anchors mirror by themselves).
        function mx(x: real, w: real): real {
            return banner.t.rtl ? width - x - w : x
        }

        x: Theme.margin
        y: edge.y + edge.height + Theme.gap
        width: parent.width - 2 * Theme.margin
        height: parent.height - y - Theme.gap
        LayoutMirroring.enabled: banner.t.rtl
        LayoutMirroring.childrenInherit: true

        AlertBadge {
            id: badge
            anchors.left: parent.left
            width: Theme.bannerBadgeSize
            height: Theme.bannerBadgeSize
            category: banner.alert.category
            color: banner.fg
            symbolColor: banner.color
        }
        LanguageTabs {
            id: tabs
            anchors.right: parent.right
            texts: banner.alert.texts
            current: banner.t.picked
            color: banner.fg
            activeText: banner.color
        }
        // Level and event
        PagedText {
            id: label
            x: content.mx(content.textLeft, width)
            width: (banner.flat ? content.textWidth
                                : content.width - (tabs.visible ? tabs.width + Theme.gap : 0))
                   - content.textLeft
            maxLines: banner.flat ? 1 : 2
            text: [Strings.t(banner.severity, banner.language).toUpperCase(),
                   banner.t.event].filter(s => s !== "").join(" · ")
            color: banner.fg
            font.pixelSize: Theme.labelSize
            font.bold: true
        }
        PagedText {
            id: headline

            x: content.mx(content.textLeft, width)
            y: label.height + Theme.smallGap
            width: banner.flat ? Math.round((content.textWidth - content.textLeft - 2 * Theme.gap) / 2)
                               : label.width
            maxLines: banner.flat ? 0 : 2
            maxHeight: banner.flat ? content.footerTop - Theme.gap - y : Number.POSITIVE_INFINITY
            text: banner.t.headline
            color: banner.fg
            font.pixelSize: Theme.bannerHeadlineSize
            font.bold: true
        }
        // Instruction first: it is what a passer-by can act on.
        PagedText {
            id: instruction

            readonly property real leftEdge: banner.flat ? content.textLeft + headline.width + 2 * Theme.gap
                                                         : 0

            x: content.mx(leftEdge, width)
            y: banner.flat ? headline.y
                           : Math.max(badge.height, headline.y + headline.height) + Theme.gap
            width: content.textWidth - leftEdge
            maxHeight: content.footerTop - Theme.gap - y
            text: banner.t.instruction !== ""
                  ? banner.t.instruction
                  : banner.t.description
            color: banner.fg
            font.pixelSize: Theme.bannerTextSize
        }
        QrCode {
            id: qr
            anchors.right: parent.right
            anchors.bottom: parent.bottom
            source: banner.alert.qrSource
            size: Theme.qrSmallSize
            caption: Strings.t("moreInfo", banner.language)
            captionColor: banner.fg
        }
        AlertFooter {
            id: footer
            anchors.left: parent.left
            anchors.bottom: parent.bottom
            width: content.textWidth
            picked: banner.t
            language: banner.language
            sentTime: banner.alert.sentTime
            color: banner.fg
        }
    }

    ExerciseStripe {
        anchors.top: parent.top
        width: parent.width
        height: banner.bandHeight
        visible: banner.exercise
    }
}
