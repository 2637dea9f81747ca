// A static scene: nothing animates, so frames only come when the watchdog asks for them.
import QtQuick

Rectangle {
    width: 160
    height: 90
    color: "#202830"

    Text {
        anchors.centerIn: parent
        text: "stele"
        color: "white"
    }
}
