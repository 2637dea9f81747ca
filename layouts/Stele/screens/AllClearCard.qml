import QtQuick
import QtQuick.Layouts
import Stele

// "Entwarnung": a calm green card with the cancel's headline, shown for a while after a
// warning was withdrawn.
Rectangle {
    id: card

    property var allClear: ({})

    readonly property var t: lang.current

    function field(map: var, key: string): string {
        return map && map[key] !== undefined ? String(map[key]) : ""
    }

    radius: Theme.radius
    color: Theme.allClear

    LanguageCycler {
        id: lang
        texts: card.allClear.texts !== undefined ? card.allClear.texts : []
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.gap * 1.5
        spacing: Theme.gap
        LayoutMirroring.enabled: lang.rtl
        LayoutMirroring.childrenInherit: true

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap

            AlertBadge {
                Layout.preferredWidth: Theme.px(150)
                Layout.preferredHeight: Theme.px(150)
                category: "AllClear"
                symbolColor: Theme.allClear
            }
            SteleText {
                Layout.fillWidth: true
                text: Strings.t("allClear", lang.language).toUpperCase()
                color: Theme.onAlert
                font.pixelSize: Theme.slideTitleSize
                font.bold: true
                font.letterSpacing: Theme.px(2)
                wrapMode: Text.NoWrap
                fontSizeMode: Text.HorizontalFit
            }
        }
        SteleText {
            Layout.fillWidth: true
            Layout.preferredHeight: implicitHeight
            Layout.maximumHeight: card.height * 0.35
            // The language version when there is one, else the cancel's own headline.
            text: card.field(card.t, "headline") !== "" ? card.field(card.t, "headline")
                                                          : card.field(card.allClear, "headline")
            color: Theme.onAlert
            font.pixelSize: Theme.px(68)
            font.bold: true
            minimumPixelSize: Theme.headlineMinSize
            fontSizeMode: Text.Fit
        }
        SteleText {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: 0
            text: card.field(card.t, "description")
            color: Theme.onAlert
            font.pixelSize: Theme.slideBodySize
            minimumPixelSize: Theme.descriptionMinSize
            fontSizeMode: Text.Fit
        }
        SteleText {
            Layout.fillWidth: true
            text: card.field(card.t, "senderName")
            visible: text !== ""
            color: Theme.onAlert
            font.pixelSize: Theme.slideSmallSize
            maximumLineCount: 2
        }
    }
}
