import QtQuick
import Stele

// Permanent top and bottom "ÜBUNG / EXERCISE" bands on whatever shows an exercise alert.
// Lay the marked content out between `topBand.height` and `bottomBand.height`.
Item {
    property alias bandHeight: topBand.height

    ExerciseStripe {
        id: topBand
        anchors.top: parent.top
        width: parent.width
    }
    ExerciseStripe {
        anchors.bottom: parent.bottom
        width: parent.width
        height: topBand.height
    }
}
