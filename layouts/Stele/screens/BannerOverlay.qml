import QtQuick
import QtQuick.Layouts
import Stele

// Persistent band for a moderate warning; the normal screen keeps running beside it
// (Main reserves the band's height at the bottom of the normal screen).
Rectangle {
    id: banner

    property var alert: ({})

    readonly property bool landscape: parent ? parent.width > parent.height : false
    readonly property string severity: alert.severity !== undefined ? alert.severity
                                                                     : "Moderate"
    readonly property color fg: Theme.levelTextColor(severity)
    readonly property bool exercise: alert.exercise === true
    readonly property var t: lang.current
    readonly property int bandHeight: exercise ? Theme.px(64) : 0

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
        anchors.top: parent.top
        anchors.topMargin: banner.bandHeight
        width: parent.width
        height: Theme.px(10)
        color: Theme.exerciseBlack
    }

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        anchors.topMargin: banner.bandHeight + Theme.gap + Theme.px(10)
        anchors.bottomMargin: Theme.gap
        spacing: Theme.gap
        LayoutMirroring.enabled: lang.rtl
        LayoutMirroring.childrenInherit: true

        AlertBadge {
            Layout.preferredWidth: Theme.px(150)
            Layout.preferredHeight: Theme.px(150)
            Layout.alignment: Qt.AlignTop
            category: banner.field(banner.alert, "category")
            color: banner.fg
            symbolColor: banner.color
        }
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.px(12)

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap

                SteleText {
                    Layout.fillWidth: true
                    text: [Strings.t(banner.severity, lang.language).toUpperCase(),
                           banner.field(banner.t, "event")].filter(s => s !== "").join(" · ")
                    color: banner.fg
                    font.pixelSize: Theme.labelSize
                    font.bold: true
                    font.letterSpacing: Theme.px(2)
                    maximumLineCount: 1
                }
                LanguageTabs {
                    texts: lang.texts
                    current: lang.index
                    color: banner.fg
                    activeText: banner.color
                }
            }
            SteleText {
                Layout.fillWidth: true
                Layout.preferredHeight: implicitHeight
                Layout.maximumHeight: banner.height * 0.36
                text: banner.field(banner.t, "headline")
                color: banner.fg
                font.pixelSize: Theme.bannerHeadlineSize
                font.bold: true
                minimumPixelSize: Theme.px(36)
                fontSizeMode: Text.Fit
            }
            SteleText {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: 0
                // Instruction first: it is what a passer-by can act on.
                text: banner.field(banner.t, "instruction") !== ""
                      ? banner.field(banner.t, "instruction")
                      : banner.field(banner.t, "description")
                color: banner.fg
                font.pixelSize: Theme.bannerTextSize
                minimumPixelSize: Theme.px(24)
                fontSizeMode: Text.Fit
            }
            SteleText {
                Layout.fillWidth: true
                text: [banner.field(banner.t, "senderName"),
                       Strings.t("asOf", lang.language).arg(banner.field(banner.alert, "sentTime")),
                       banner.field(banner.t, "area")].filter(s => s !== "").join(" · ")
                color: banner.fg
                font.pixelSize: Theme.px(28)
                maximumLineCount: 2
            }
        }
        QrCode {
            Layout.alignment: Qt.AlignBottom
            source: banner.field(banner.alert, "qrSource")
            size: Theme.px(170)
            caption: Strings.t("moreInfo", lang.language)
            captionColor: banner.fg
        }
    }

    ExerciseStripe {
        anchors.top: parent.top
        width: parent.width
        height: banner.bandHeight
        visible: banner.exercise
    }
}
