import QtQuick
import Stele

// One of ContentStage's two slide holders: which slide it holds, and a signal whenever its
// state may have changed (loaded, failed, or the slide itself became ready or failed).
// A file of its own, not an inline component: Qt 6.8.2 (Debian trixie) passed an inline
// component typed function argument as null.
Loader {
    id: loader

    property string slideId: ""
    property int revision: -1
    property var entry: ({})
    property bool handedOver: false   // the item has its entry: its state counts

    signal stateMayHaveChanged()

    visible: false
    asynchronous: true
    onStatusChanged: if (status === Loader.Error) loader.stateMayHaveChanged()
    onLoaded: {
        (loader.item as ContentSlide).entry = loader.entry
        loader.handedOver = true
        loader.stateMayHaveChanged()
    }

    // The slide's own readiness (its picture decoded) or failure comes later.
    Connections {
        target: loader.item as ContentSlide
        function onReadyChanged() { loader.stateMayHaveChanged() }
        function onFailureChanged() { loader.stateMayHaveChanged() }
    }
}
