pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The languages an alert has, the one showing filled, so readers know another will follow.
Row {
    id: tabs

    property var texts: []  // AlertTextEntry objects
    property AlertTextEntry current: null  // the text showing (one of `texts`)
    property color color: Theme.onAlert
    property color activeText: Theme.extreme

    visible: texts.length > 1
    spacing: Theme.rowGap
    layoutDirection: Qt.LeftToRight

    Repeater {
        model: tabs.texts
        delegate: Rectangle {
            id: tab
            required property AlertTextEntry modelData
            readonly property bool active: tabs.current !== null
                                           && modelData.language === tabs.current.language
            width: code.implicitWidth + Theme.tabPadH
            height: code.implicitHeight + Theme.tabPadV
            radius: height / 2
            color: active ? tabs.color : Theme.clear
            border.color: tabs.color
            border.width: Theme.tabBorder

            SteleText {
                id: code
                anchors.centerIn: parent
                text: tab.modelData.language.toUpperCase()
                color: tab.active ? tabs.activeText : tabs.color
                font.pixelSize: Theme.labelSize
                font.bold: true
                wrapMode: Text.NoWrap
                elide: Text.ElideNone
            }
        }
    }
}
