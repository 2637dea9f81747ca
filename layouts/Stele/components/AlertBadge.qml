import QtQuick
import Stele

// Pictogram on a rounded plate: the first thing to catch the eye.
Rectangle {
    id: badge

    property string category: "Other"
    property color symbolColor: Theme.extreme

    implicitWidth: Theme.pictogramSize
    implicitHeight: Theme.pictogramSize
    radius: width * 0.16
    color: Theme.badge

    Pictogram {
        anchors.fill: parent
        anchors.margins: parent.width * 0.14
        category: badge.category
        color: badge.symbolColor
        knockout: badge.color
    }
}
