pragma ComponentBehavior: Bound

import QtQuick
import Stele

// Which language of the alert is showing, so readers know another one will follow.
Row {
    id: tabs

    property var texts: []
    property int current: 0
    property color color: Theme.onAlert
    property color activeText: Theme.extreme

    visible: texts.length > 1
    spacing: Theme.px(10)
    layoutDirection: Qt.LeftToRight

    Repeater {
        model: tabs.texts
        delegate: Rectangle {
            id: tab
            required property var modelData
            required property int index
            readonly property bool active: index === tabs.current
            width: code.implicitWidth + Theme.px(28)
            height: code.implicitHeight + Theme.px(12)
            radius: height / 2
            color: active ? tabs.color : "transparent"
            border.color: tabs.color
            border.width: Theme.px(3)

            SteleText {
                id: code
                anchors.centerIn: parent
                text: String(tab.modelData.language).toUpperCase()
                color: tab.active ? tabs.activeText : tabs.color
                font.pixelSize: Theme.labelSize
                font.bold: true
                wrapMode: Text.NoWrap
            }
        }
    }
}
