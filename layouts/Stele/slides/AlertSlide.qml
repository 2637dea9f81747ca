import QtQuick
import QtQuick.Layouts
import Stele

// A minor alert (layout "loop") as one page of the normal rotation.
SlideBase {
    id: slide

    property var alert: ({})

    readonly property string severity: alert.severity !== undefined ? alert.severity : "Minor"
    readonly property color fill: Theme.levelColor(severity)
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property bool exercise: alert.exercise === true
    readonly property var t: lang.current

    function field(map: var, key: string): string {
        return map && map[key] !== undefined ? String(map[key]) : ""
    }

    LanguageCycler {
        id: lang
        texts: slide.alert.texts !== undefined ? slide.alert.texts : []
    }

    Rectangle {
        id: card
        anchors.fill: parent
        radius: Theme.radius
        color: slide.fill
        clip: true

        ColumnLayout {
            anchors.fill: parent
            anchors.margins: Theme.gap * 1.25
            anchors.topMargin: Theme.gap * 1.25 + (slide.exercise ? marking.bandHeight : 0)
            anchors.bottomMargin: Theme.gap * 1.25 + (slide.exercise ? marking.bandHeight : 0)
            spacing: Theme.gap
            LayoutMirroring.enabled: lang.rtl
            LayoutMirroring.childrenInherit: true

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap

                AlertBadge {
                    Layout.preferredWidth: Theme.px(130)
                    Layout.preferredHeight: Theme.px(130)
                    category: slide.field(slide.alert, "category")
                    color: slide.fg
                    symbolColor: slide.fill
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: Theme.px(4)
                    SteleText {
                        Layout.fillWidth: true
                        text: Strings.t(slide.severity, lang.language).toUpperCase()
                        color: slide.fg
                        font.pixelSize: Theme.labelSize
                        font.bold: true
                        font.letterSpacing: Theme.px(2)
                        wrapMode: Text.NoWrap
                    }
                    SteleText {
                        Layout.fillWidth: true
                        text: slide.field(slide.t, "event")
                        color: slide.fg
                        font.pixelSize: Theme.slideBodySize
                        maximumLineCount: 2
                    }
                }
            }
            SteleText {
                Layout.fillWidth: true
                Layout.preferredHeight: implicitHeight
                Layout.maximumHeight: slide.height * 0.3
                text: slide.field(slide.t, "headline")
                color: slide.fg
                font.pixelSize: Theme.slideTitleSize
                font.bold: true
                minimumPixelSize: Theme.headlineMinSize
                fontSizeMode: Text.Fit
            }
            SteleText {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: 0
                text: [slide.field(slide.t, "instruction"), slide.field(slide.t, "description")]
                      .filter(s => s !== "").join("\n\n")
                color: slide.fg
                font.pixelSize: Theme.slideBodySize
                minimumPixelSize: Theme.descriptionMinSize
                fontSizeMode: Text.Fit
            }
            SteleText {
                Layout.fillWidth: true
                text: [slide.field(slide.t, "senderName"),
                       Strings.at("asOf", lang.language, slide.field(slide.alert, "sentTime"))]
                      .filter(s => s !== "").join(" · ")
                color: slide.fg
                font.pixelSize: Theme.slideSmallSize
                maximumLineCount: 2
            }
        }

        ExerciseMarking {
            id: marking
            anchors.fill: parent
            bandHeight: Theme.px(64)
            visible: slide.exercise
        }
    }
}
