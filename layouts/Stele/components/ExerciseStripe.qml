pragma ComponentBehavior: Bound

import QtQuick
import Stele

// One yellow/black hazard band reading "ÜBUNG / EXERCISE".
Item {
    id: stripe

    implicitHeight: Theme.exerciseBandHeight
    clip: true

    Rectangle {
        anchors.fill: parent
        color: Theme.exerciseYellow
    }
    Repeater {
        model: stripe.height > 0 ? Math.ceil((stripe.width + stripe.height * 2) / (stripe.height * 0.9)) + 1
                                 : 0
        delegate: Rectangle {
            required property int index
            x: index * stripe.height * 0.9 - stripe.height
            y: -stripe.height
            width: stripe.height * 0.45
            height: stripe.height * 3
            rotation: 45
            color: Theme.exerciseBlack
        }
    }
    Rectangle {
        anchors.centerIn: parent
        width: label.paintedWidth + 2 * Theme.gap
        height: parent.height * 0.78
        color: Theme.exerciseYellow
        border.color: Theme.exerciseBlack
        border.width: Theme.stripeBorder
        radius: Theme.stripeRadius
    }
    SteleText {
        id: label
        anchors.centerIn: parent
        width: Math.min(implicitWidth, parent.width - 4 * Theme.gap)
        height: parent.height * 0.7
        text: Strings.exercise
        color: Theme.exerciseBlack
        font.pixelSize: Theme.exerciseSize
        font.bold: true
        font.letterSpacing: Theme.stripeTracking
        wrapMode: Text.NoWrap
        fontSizeMode: Text.Fit
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
}
