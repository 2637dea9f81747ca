pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Layouts
import Stele

// The alerts behind the top one: one line each, with level colour and pictogram.
Rectangle {
    id: list

    property var alerts: []   // exactly the listed alerts (the domain caps them: stele/domain/screen.py)
    property int more: 0      // alerts that do not fit, only counted
    property color textColor: Theme.onAlert
    property string language: "de"
    property int columns: 1

    visible: alerts.length > 0
    implicitHeight: visible ? column.implicitHeight + 2 * Theme.smallGap : 0
    radius: Theme.radius
    color: Theme.shade

    function headlineOf(alert: var): string {
        const texts = alert.texts !== undefined ? alert.texts : []
        return texts.length > 0 ? String(texts[0].headline) : ""
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.smallGap
        anchors.leftMargin: Theme.gap
        anchors.rightMargin: Theme.gap
        spacing: Theme.px(10)

        SteleText {
            Layout.fillWidth: true
            text: Strings.t("others", list.language).toUpperCase() + " (" + (list.alerts.length + list.more) + ")"
            color: list.textColor
            font.pixelSize: Theme.labelSize
            font.bold: true
            font.letterSpacing: Theme.px(2)
            wrapMode: Text.NoWrap
        }
        GridLayout {
            Layout.fillWidth: true
            columns: list.columns
            columnSpacing: Theme.gap
            rowSpacing: Theme.px(10)

            Repeater {
                model: list.alerts
                delegate: RowLayout {
                    id: row
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    spacing: Theme.smallGap

                    Rectangle {
                        Layout.preferredWidth: Theme.px(56)
                        Layout.preferredHeight: Theme.px(56)
                        radius: Theme.px(10)
                        color: Theme.levelColor(String(row.modelData.severity))
                        border.color: "white"
                        border.width: Theme.px(3)

                        Pictogram {
                            anchors.fill: parent
                            anchors.margins: parent.width * 0.18
                            category: String(row.modelData.category)
                            color: Theme.levelTextColor(String(row.modelData.severity))
                            knockout: parent.color
                        }
                    }
                    SteleText {
                        Layout.fillWidth: true
                        text: (row.modelData.exercise === true ? Strings.exercise + ": " : "")
                              + list.headlineOf(row.modelData)
                        color: list.textColor
                        font.pixelSize: Theme.othersSize
                        font.bold: true
                        wrapMode: Text.NoWrap
                    }
                }
            }
        }
        SteleText {
            Layout.fillWidth: true
            visible: list.more > 0
            text: Strings.t("more", list.language).arg(list.more)
            color: list.textColor
            font.pixelSize: Theme.othersSize
            wrapMode: Text.NoWrap
        }
    }
}
