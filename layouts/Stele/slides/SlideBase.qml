import QtQuick
import Stele

// One page of the normal rotation; cross-fades in while `active`.
Item {
    property bool active: false

    opacity: active ? 1 : 0
    visible: opacity > 0

    Behavior on opacity {
        NumberAnimation { duration: Theme.fadeMs; easing.type: Easing.InOutQuad }
    }
}
