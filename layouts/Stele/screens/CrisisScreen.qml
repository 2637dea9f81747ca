import QtQuick
import Stele

// Full-screen takeover for the top alert. Instruction before description; the other
// active alerts are listed at the bottom. Portrait stacks the blocks, landscape puts
// headline and instruction left of description, place, time and QR code.
// Geometry is explicit (no Layouts): text heights feed back into positions, and
// explicit bindings keep that one-directional.
Rectangle {
    id: crisis

    property var alert: ({})
    property var others: []
    property int othersMore: 0   // further alerts that do not fit the list (only counted)
    property int topInset: 0

    readonly property bool landscape: width > height
    readonly property bool exercise: alert.exercise === true
    readonly property string severity: alert.severity !== undefined ? alert.severity : "Extreme"
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property var t: lang.current
    readonly property int bandHeight: exercise ? Theme.exerciseBandHeight : 0

    function field(map: var, key: string): string {
        return map && map[key] !== undefined ? String(map[key]) : ""
    }

    color: Theme.levelColor(severity)

    LanguageCycler {
        id: lang
        texts: crisis.alert.texts !== undefined ? crisis.alert.texts : []
    }

    Item {
        id: content

        // Mirror a box's x for right-to-left languages (anchors mirror by themselves).
        function mx(x: real, w: real): real {
            return lang.rtl ? width - x - w : x
        }

        x: Theme.margin
        y: crisis.topInset + crisis.bandHeight + Theme.gap
        width: crisis.width - 2 * Theme.margin
        height: crisis.height - y - crisis.bandHeight - Theme.gap
        LayoutMirroring.enabled: lang.rtl
        LayoutMirroring.childrenInherit: true

        // Header: pictogram, level, event, sender, language tabs
        Item {
            id: header
            width: parent.width
            height: Math.max(badge.height, heading.height)

            AlertBadge {
                id: badge
                anchors.left: parent.left
                width: Theme.pictogramSize
                height: Theme.pictogramSize
                category: crisis.field(crisis.alert, "category")
                symbolColor: crisis.color
            }
            LanguageTabs {
                id: tabs
                anchors.right: parent.right
                anchors.top: parent.top
                texts: lang.texts
                current: lang.index
                color: crisis.fg
                activeText: crisis.color
            }
            Column {
                id: heading
                anchors.left: badge.right
                anchors.leftMargin: Theme.gap
                anchors.right: tabs.visible ? tabs.left : parent.right
                anchors.rightMargin: tabs.visible ? Theme.gap : 0
                anchors.verticalCenter: parent.verticalCenter
                spacing: Theme.px(4)

                SteleText {
                    width: parent.width
                    text: Strings.t(crisis.severity, lang.language).toUpperCase()
                    color: crisis.fg
                    font.pixelSize: Theme.severitySize
                    font.bold: true
                    font.letterSpacing: Theme.px(2)
                    wrapMode: Text.NoWrap
                    fontSizeMode: Text.HorizontalFit
                }
                SteleText {
                    width: parent.width
                    text: crisis.field(crisis.t, "event")
                    visible: text !== ""
                    color: crisis.fg
                    font.pixelSize: Theme.eventSize
                    maximumLineCount: 2
                }
                SteleText {
                    width: parent.width
                    text: crisis.field(crisis.t, "senderName")
                    visible: text !== ""
                    color: crisis.fg
                    font.pixelSize: Theme.metaSize
                    maximumLineCount: 2
                }
            }
        }

        Rectangle {
            id: divider
            y: header.height + Theme.smallGap
            width: parent.width
            height: Theme.px(4)
            color: crisis.fg
            opacity: 0.5
        }

        OthersList {
            id: othersList
            anchors.bottom: parent.bottom
            width: parent.width
            height: implicitHeight
            alerts: crisis.others
            more: crisis.othersMore
            color: Theme.levelDeepColor(crisis.severity)
            textColor: crisis.fg
            language: lang.language
            columns: crisis.landscape ? 2 : 1
        }

        Item {
            id: body

            readonly property real leftWidth: crisis.landscape
                                              ? Math.round((width - 2 * Theme.gap) * 0.56) : width
            readonly property real rightX: crisis.landscape ? leftWidth + 2 * Theme.gap : 0

            y: divider.y + divider.height + Theme.gap
            width: parent.width
            height: (othersList.visible ? othersList.y - Theme.gap : parent.height) - y

            FitText {
                id: headline
                x: content.mx(0, width)
                width: body.leftWidth
                maxHeight: body.height * (crisis.landscape ? 0.38 : 0.25)
                text: crisis.field(crisis.t, "headline")
                color: crisis.fg
                font.pixelSize: Theme.headlineSize
                font.bold: true
                minimumPixelSize: Theme.headlineMinSize
                lineHeight: 1.05
            }

            Rectangle {
                id: instructionCard

                readonly property real chrome: 2 * Theme.gap + label.height + Theme.smallGap
                readonly property real cap: crisis.landscape
                                            ? body.height - headline.height - Theme.gap
                                            : body.height * 0.4

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
                    text: Strings.t("whatToDo", lang.language).toUpperCase()
                    color: crisis.color
                    font.pixelSize: Theme.labelSize
                    font.bold: true
                    font.letterSpacing: Theme.px(2)
                    wrapMode: Text.NoWrap
                    fontSizeMode: Text.HorizontalFit
                }
                FitText {
                    id: instruction
                    x: Theme.gap
                    y: label.y + label.height + Theme.smallGap
                    width: parent.width - 2 * Theme.gap
                    maxHeight: Math.max(0, instructionCard.cap - instructionCard.chrome)
                    text: crisis.field(crisis.t, "instruction")
                    color: Theme.instructionText
                    font.pixelSize: Theme.instructionSize
                    font.bold: true
                    minimumPixelSize: Theme.instructionMinSize
                }
            }

            // Situation, place, time, link. Portrait: the QR code beside the text;
            // landscape: the right column, QR code at its foot.
            Item {
                id: info

                readonly property real textWidth: !crisis.landscape && qr.visible
                                                  ? width - qr.width - Theme.gap : width

                x: content.mx(body.rightX, width)
                y: crisis.landscape ? 0
                                    : (instructionCard.visible
                                       ? instructionCard.y + instructionCard.height
                                       : headline.height) + Theme.gap
                width: body.width - body.rightX
                height: body.height - y

                FitText {
                    id: description
                    anchors.left: parent.left
                    width: info.textWidth
                    maxHeight: Math.max(0, (crisis.landscape && qr.visible
                                            ? Math.min(meta.y, qr.y) : meta.y) - Theme.gap)
                    text: crisis.field(crisis.t, "description")
                    color: crisis.fg
                    font.pixelSize: Theme.descriptionSize
                    minimumPixelSize: Theme.descriptionMinSize
                    lineHeight: 1.1
                }
                Column {
                    id: meta
                    anchors.left: parent.left
                    anchors.bottom: parent.bottom
                    width: qr.visible ? info.width - qr.width - Theme.gap : info.width
                    spacing: Theme.px(8)

                    SteleText {
                        readonly property string area: crisis.field(crisis.t, "area")
                        width: parent.width
                        visible: area !== ""
                        text: Strings.t("area", lang.language) + ": " + area
                        color: crisis.fg
                        font.pixelSize: Theme.metaSize
                        font.bold: true
                        maximumLineCount: 3
                    }
                    SteleText {
                        readonly property string time: crisis.field(crisis.alert, "onsetTime")
                        width: parent.width
                        visible: time !== ""
                        text: Strings.at("onset", lang.language, time)
                        color: crisis.fg
                        font.pixelSize: Theme.metaSize
                        font.bold: true
                        maximumLineCount: 2
                    }
                    SteleText {
                        width: parent.width
                        text: Strings.at("asOf", lang.language, crisis.field(crisis.alert, "sentTime"))
                        color: crisis.fg
                        font.pixelSize: Theme.metaSize
                        maximumLineCount: 2
                    }
                }
                QrCode {
                    id: qr
                    anchors.right: parent.right
                    anchors.bottom: parent.bottom
                    source: crisis.field(crisis.alert, "qrSource")
                    size: crisis.landscape ? Theme.px(220) : Theme.qrSize
                    caption: Strings.t("moreInfo", lang.language)
                    captionColor: crisis.fg
                }
            }
        }
    }

    ExerciseMarking {
        anchors.fill: parent
        anchors.topMargin: crisis.topInset
        visible: crisis.exercise
    }
}
