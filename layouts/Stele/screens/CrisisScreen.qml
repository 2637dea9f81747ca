import QtQuick
import Stele

// Full-screen takeover for the top alert, every text at a size legible from where people
// stand (Theme), paged where it does not fit (PagedText), in the screen clock's language.
// Portrait stacks header, headline, instruction, description with place and time, and the
// other alerts; landscape puts headline and instruction left, the rest right.
// Geometry is explicit (no Layouts): text heights feed back into positions, and explicit
// bindings keep that one-directional.
Rectangle {
    id: crisis

    required property AlertEntry alert  // ScreenBridge: identifier "" for none
    required property AlertListModel others   // listed below the top alert
    property int othersMore: 0   // further alerts that do not fit the list (only counted)
    // The listed alerts on the glass now (the list's current page), for the ack.
    readonly property var listedShown: visible ? othersList.shownIds : []
    property int topInset: 0

    readonly property bool landscape: width > height
    readonly property bool exercise: alert.exercise
    readonly property string severity: alert.severity !== "" ? alert.severity : "Extreme"
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property PickedText t: PickedText { texts: crisis.alert.texts }
    readonly property string language: t.language
    readonly property bool rtl: t.rtl
    readonly property int bandHeight: exercise ? Theme.exerciseBandHeight : 0
    // When everything on this screen has been read once (the screen clock holds the language).
    readonly property real readUntil: Math.max(
        ScreenClock.readUntil([heading.event, heading.sender, headline, instruction,
                              description, meta]),
        othersList.visible ? othersList.readUntil : 0)

    color: Theme.levelColor(severity)

    Item {
        id: content

        // Mirror a box's x for right-to-left languages (anchors mirror by themselves).
        function mx(x: real, w: real): real {
            return crisis.rtl ? width - x - w : x
        }

        x: Theme.margin
        y: crisis.topInset + crisis.bandHeight + Theme.gap
        width: crisis.width - 2 * Theme.margin
        height: crisis.height - y - crisis.bandHeight - Theme.gap
        LayoutMirroring.enabled: crisis.rtl
        LayoutMirroring.childrenInherit: true

        // Header: pictogram, level, event, sender, language tabs (landscape: and the QR code)
        Item {
            id: header
            width: parent.width
            height: Math.max(badge.height, heading.height,
                             crisis.landscape && qr.visible ? qr.height : 0)

            AlertBadge {
                id: badge
                anchors.left: parent.left
                width: crisis.landscape ? Theme.pictogramSmallSize : Theme.pictogramSize
                height: width
                category: crisis.alert.category
                symbolColor: crisis.color
            }
            LanguageTabs {
                id: tabs
                anchors.right: parent.right
                anchors.top: parent.top
                texts: crisis.alert.texts
                current: crisis.t.picked
                color: crisis.fg
                activeText: crisis.color
            }
            AlertLevelHeading {
                id: heading
                anchors.left: badge.right
                anchors.leftMargin: Theme.gap
                anchors.right: parent.right
                anchors.rightMargin: (tabs.visible ? tabs.width + Theme.gap : 0)
                                     + (crisis.landscape && qr.visible ? qr.width + Theme.gap : 0)
                anchors.verticalCenter: parent.verticalCenter
                severity: crisis.severity
                language: crisis.language
                picked: crisis.t
                textColor: crisis.fg
                levelSize: Theme.severitySize
                eventLines: 1
                showSender: true
            }
        }

        Rectangle {
            id: divider
            y: header.height + Theme.smallGap
            width: parent.width
            height: Theme.ruleHeight
            color: crisis.fg
            opacity: 0.5
        }

        Item {
            id: body

            readonly property real leftWidth: crisis.landscape
                                              ? Math.round((width - 2 * Theme.gap) * 0.56) : width
            readonly property real rightX: crisis.landscape ? leftWidth + 2 * Theme.gap : 0

            y: divider.y + divider.height + Theme.gap
            width: parent.width
            height: (!crisis.landscape && othersList.visible ? othersList.y - Theme.gap
                                                             : parent.height) - y

            PagedText {
                id: headline
                x: content.mx(0, width)
                width: body.leftWidth
                maxHeight: body.height * (crisis.landscape ? 0.4 : 0.28)
                text: crisis.t.headline
                color: crisis.fg
                font.pixelSize: Theme.headlineSize
                font.bold: true
            }

            Rectangle {
                id: instructionCard

                readonly property real chrome: 2 * Theme.gap + label.height + Theme.smallGap
                // Portrait: what the description, place and time need (three lines of the
                // description at least) stays free below the instruction.
                readonly property real reserve: crisis.landscape ? 0
                    : Math.min(info.naturalHeight, Math.max(info.minimumHeight, body.height * 0.25))
                                                                 + Theme.gap

                x: content.mx(0, width)
                y: headline.height + Theme.gap
                width: body.leftWidth
                height: chrome + instruction.height
                visible: instruction.text !== ""
                radius: Theme.radius
                color: Theme.instructionCard

                SteleText {
                    id: label
                    x: Theme.gap
                    y: Theme.gap
                    width: parent.width - 2 * Theme.gap
                    text: Strings.t("whatToDo", crisis.language).toUpperCase()
                    color: crisis.color
                    font.pixelSize: Theme.labelSize
                    font.bold: true
                    font.letterSpacing: Theme.tracking
                    elide: Text.ElideNone
                }
                PagedText {
                    id: instruction
                    x: Theme.gap
                    y: label.y + label.height + Theme.smallGap
                    width: parent.width - 2 * Theme.gap
                    maxHeight: body.height - instructionCard.y - instructionCard.chrome
                               - instructionCard.reserve
                    text: crisis.t.instruction
                    color: Theme.instructionText
                    font.pixelSize: Theme.instructionSize
                    font.bold: true
                }
            }

            // Situation, place and time. Portrait: below the instruction, the QR code beside
            // them; landscape: the right column, the other alerts below them.
            Item {
                id: info

                readonly property real textWidth: !crisis.landscape && qr.visible
                                                  ? width - qr.width - Theme.gap : width
                readonly property real naturalHeight: (description.text !== ""
                                                       ? description.naturalHeight + Theme.gap : 0)
                                                      + meta.height
                readonly property real minimumHeight: (description.text !== ""
                                                       ? 3 * description.lineStep + Theme.gap : 0)
                                                      + meta.height
                // Two lines of the description at least: the other alerts page to leave them.
                readonly property real descriptionMinimum: description.text !== ""
                    ? Math.min(description.naturalHeight, 2 * description.lineStep) + Theme.gap : 0
                readonly property real bottomEdge: crisis.landscape && othersList.visible
                                               ? othersList.y - body.y - Theme.gap : body.height

                x: content.mx(body.rightX, width)
                y: crisis.landscape ? 0
                                    : (instructionCard.visible
                                       ? instructionCard.y + instructionCard.height
                                       : headline.height) + Theme.gap
                width: body.width - body.rightX
                height: bottomEdge - y

                PagedText {
                    id: description
                    anchors.left: parent.left
                    width: info.textWidth
                    maxHeight: Math.max(0, meta.y - Theme.gap)
                    text: crisis.t.description
                    color: crisis.fg
                    font.pixelSize: Theme.descriptionSize
                }
                PagedText {
                    id: meta

                    readonly property string place: crisis.t.area
                    readonly property string onset: crisis.alert.onsetTime

                    anchors.left: parent.left
                    anchors.bottom: parent.bottom
                    width: info.textWidth
                    maxLines: crisis.landscape ? 3 : 4
                    text: [place !== "" ? Strings.t("area", crisis.language) + ": " + place : "",
                           onset !== "" ? Strings.at("onset", crisis.language, onset) : "",
                           Strings.at("asOf", crisis.language, crisis.alert.sentTime)]
                          .filter(line => line !== "").join("\n")
                    color: crisis.fg
                    font.pixelSize: Theme.metaSize
                }
            }
        }

        OthersList {
            id: othersList
            x: content.mx(crisis.landscape ? body.rightX : 0, width)
            y: content.height - height
            width: crisis.landscape ? body.width - body.rightX : content.width
            height: implicitHeight
            maxHeight: crisis.landscape ? content.height - body.y - info.descriptionMinimum
                                          - meta.height - Theme.gap
                                        : content.height * 0.22
            alerts: crisis.others
            more: crisis.othersMore
            color: Theme.levelDeepColor(crisis.severity)
            textColor: crisis.fg
            language: crisis.language
            columns: 1
            perPage: crisis.landscape ? 2 : 3
        }
    }

    // The official link as a QR code: portrait at the foot of the situation text, beside place
    // and time; landscape in the header, where it takes no room from the text.
    QrCode {
        id: qr
        x: content.x + content.mx(crisis.landscape
                                  ? content.width - (tabs.visible ? tabs.width + Theme.gap : 0) - width
                                  : body.width - width, width)
        y: content.y + (crisis.landscape ? 0 : body.y + info.y + info.height - height)
        source: crisis.alert.qrSource
        size: crisis.landscape ? Theme.qrSmallSize : Theme.qrSize
        caption: Strings.t("moreInfo", crisis.language)
        captionColor: crisis.fg
    }

    ExerciseMarking {
        anchors.fill: parent
        anchors.topMargin: crisis.topInset
        visible: crisis.exercise
    }
}
