import QtQuick
import Stele

// One page of the normal rotation; cross-fades in while `active`.
Item {
    id: slideBase

    property bool active: false
    property bool instant: false   // appear or go without the cross-fade

    opacity: active ? 1 : 0
    visible: opacity > 0

    Behavior on opacity {
        enabled: !slideBase.instant
        NumberAnimation { duration: Theme.fadeMs; easing.type: Easing.InOutQuad }
    }
}
