import QtQml

// The fields of one alert map from the bridge (ScreenBridge.top, .banner) as typed
// properties, `empty` when there is none.
QtObject {
    property var alert: ({})

    readonly property bool empty: alert.identifier === undefined
    readonly property string severity: alert.severity !== undefined ? String(alert.severity) : ""
    readonly property string category: alert.category !== undefined ? String(alert.category) : ""
    readonly property bool exercise: alert.exercise === true
    readonly property var texts: alert.texts !== undefined ? alert.texts : []
    readonly property string sentTime: alert.sentTime !== undefined ? String(alert.sentTime) : ""
    readonly property string onsetTime: alert.onsetTime !== undefined ? String(alert.onsetTime)
                                                                      : ""
    readonly property string qrSource: alert.qrSource !== undefined ? String(alert.qrSource) : ""
}
