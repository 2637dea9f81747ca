import QtQuick
import Stele

// A minor alert (layout "loop") as one page of the normal rotation, at legible sizes, paged
// where it does not fit, in the screen clock's language. The rotation stays on it until it
// has been read (readUntil).
SlideBase {
    id: slide

    // Roles of AlertListModel (stele/ui/models.py): the rotation's Repeater sets them.
    required property string severity
    required property string category
    required property bool exercise
    required property var texts
    required property string sentTime

    readonly property color fill: Theme.levelColor(severity)
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property PickedText t: PickedText { texts: slide.texts }
    readonly property string language: t.language
    readonly property real readUntil: ScreenClock.readUntil([heading.event, headline, instruction,
                                                             description, footer])

    Rectangle {
        id: card
        anchors.fill: parent
        radius: Theme.radius
        color: slide.fill

        Item {
            id: content
            anchors.fill: parent
            anchors.margins: Theme.gap * 1.25
            anchors.topMargin: Theme.gap * 1.25 + (slide.exercise ? marking.bandHeight : 0)
            anchors.bottomMargin: Theme.gap * 1.25 + (slide.exercise ? marking.bandHeight : 0)
            LayoutMirroring.enabled: slide.t.rtl
            LayoutMirroring.childrenInherit: true

            AlertBadge {
                id: badge
                anchors.left: parent.left
                width: Theme.slideBadgeSize
                height: Theme.slideBadgeSize
                category: slide.category
                color: slide.fg
                symbolColor: slide.fill
            }
            AlertLevelHeading {
                id: heading
                anchors.left: badge.right
                anchors.leftMargin: Theme.gap
                anchors.right: parent.right
                anchors.verticalCenter: badge.verticalCenter
                severity: slide.severity
                language: slide.language
                picked: slide.t
                textColor: slide.fg
            }
            PagedText {
                id: headline

                readonly property real topEdge: Math.max(badge.height, heading.height) + Theme.gap

                y: topEdge
                width: parent.width
                maxHeight: (footer.y - topEdge) * 0.35
                text: slide.t.headline
                color: slide.fg
                font.pixelSize: Theme.headlineSize
                font.bold: true
            }
            PagedText {
                id: instruction
                y: headline.y + headline.height + (headline.height > 0 ? Theme.gap : 0)
                width: parent.width
                // Three lines of the description stay free below, when there is one.
                maxHeight: footer.y - Theme.gap - y
                           - (description.text !== ""
                              ? Math.min(description.naturalHeight, 3 * description.lineStep)
                                + Theme.gap
                              : 0)
                text: slide.t.instruction
                color: slide.fg
                font.pixelSize: Theme.instructionSize
                font.bold: true
            }
            PagedText {
                id: description
                y: instruction.y + instruction.height + (instruction.height > 0 ? Theme.gap : 0)
                width: parent.width
                maxHeight: footer.y - Theme.gap - y
                text: slide.t.description
                color: slide.fg
                font.pixelSize: Theme.descriptionSize
            }
            AlertFooter {
                id: footer
                anchors.bottom: parent.bottom
                width: parent.width
                picked: slide.t
                language: slide.language
                sentTime: slide.sentTime
                color: slide.fg
            }
        }

        ExerciseMarking {
            id: marking
            anchors.fill: parent
            bandHeight: Theme.bannerExerciseBandHeight
            visible: slide.exercise
        }
    }
}
