pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The everyday rotation: city, clock and date beside rotating slides. Minor alerts join
// the rotation as slides; an all-clear card covers the slides while it is shown.
Rectangle {
    id: normal

    property string city: ""
    property string logo: ""   // file URL of the city's logo, "" for none
    property var loopAlerts: []
    property var allClear: ({})
    property int rotationSeconds: 12
    property int topInset: 0
    property int bottomInset: 0   // room kept free for the banner

    readonly property bool landscape: width > height
    readonly property bool showAllClear: allClear.headline !== undefined
    readonly property int slideCount: 3 + loopAlerts.length
    property int slideIndex: 0
    readonly property int currentSlide: slideIndex % slideCount
    property date now: new Date()
    // The alert whose slide is on the glass now ("" for none): the kiosk acks it as a slide.
    readonly property string shownAlert: visible && !showAllClear && currentSlide >= 3
                                         && currentSlide - 3 < loopAlerts.length
                                         ? String(loopAlerts[currentSlide - 3].identifier) : ""
    property var knownAlerts: []

    signal alertSlideShown(string identifier)

    onShownAlertChanged: if (shownAlert !== "") alertSlideShown(shownAlert)
    // A new alert in the rotation is shown at once, not when the rotation comes round to it.
    onLoopAlertsChanged: {
        const ids = loopAlerts.map(a => String(a.identifier))
        const fresh = ids.findIndex(id => knownAlerts.indexOf(id) < 0)
        knownAlerts = ids
        if (fresh >= 0)
            slideIndex = 3 + fresh
    }

    color: Theme.background

    Timer {
        interval: 1000
        running: true
        repeat: true
        triggeredOnStart: true
        onTriggered: normal.now = new Date()
    }
    Timer {
        interval: Math.max(1, normal.rotationSeconds) * 1000
        running: normal.slideCount > 1 && !normal.showAllClear
        repeat: true
        onTriggered: normal.slideIndex = (normal.currentSlide + 1) % normal.slideCount
    }

    // City, time and date
    Rectangle {
        id: header
        x: 0
        y: normal.topInset
        width: normal.landscape ? Math.round(normal.width * 0.34) : normal.width
        height: normal.landscape ? normal.height - normal.topInset - normal.bottomInset
                                   - emergency.height
                                 : Math.round(normal.height * 0.25)
        color: Theme.backgroundDeep

        Column {
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap

            Row {
                width: parent.width
                spacing: Theme.smallGap

                Image {
                    id: logoImage
                    objectName: "cityLogo"
                    visible: normal.logo !== "" && status === Image.Ready
                    source: normal.logo
                    height: Theme.citySize * 1.2
                    width: visible ? height : 0
                    sourceSize.height: height
                    fillMode: Image.PreserveAspectFit
                }
                SteleText {
                    width: parent.width - (logoImage.visible ? logoImage.width + parent.spacing : 0)
                    anchors.verticalCenter: parent.verticalCenter
                    text: normal.city
                    color: Theme.accent
                    font.pixelSize: Theme.citySize
                    font.bold: true
                    wrapMode: Text.NoWrap
                    fontSizeMode: Text.HorizontalFit
                }
            }
            SteleText {
                width: parent.width
                height: Theme.clockSize * 1.05
                text: Qt.formatTime(normal.now, "HH:mm")
                font.pixelSize: Theme.clockSize
                font.bold: true
                wrapMode: Text.NoWrap
                fontSizeMode: Text.Fit
                verticalAlignment: Text.AlignVCenter
            }
            SteleText {
                width: parent.width
                text: normal.now.toLocaleDateString(Qt.locale("de_DE"),
                                                    normal.landscape ? "dddd,\nd. MMMM yyyy"
                                                                     : "dddd, d. MMMM yyyy")
                color: Theme.textMuted
                font.pixelSize: Theme.dateSize
                maximumLineCount: 2
            }
        }
    }

    Item {
        id: stage
        x: normal.landscape ? header.width + Theme.margin : Theme.margin
        y: normal.landscape ? normal.topInset + Theme.margin : header.y + header.height + Theme.margin
        width: normal.width - x - Theme.margin
        height: (emergency.visible && !normal.landscape ? emergency.y : normal.height
                 - normal.bottomInset) - y - dots.height - 2 * Theme.gap

        WelcomeSlide {
            anchors.fill: parent
            city: normal.city
            active: normal.currentSlide === 0 && !normal.showAllClear
        }
        EventsSlide {
            anchors.fill: parent
            active: normal.currentSlide === 1 && !normal.showAllClear
        }
        TransitSlide {
            anchors.fill: parent
            active: normal.currentSlide === 2 && !normal.showAllClear
        }
        Repeater {
            model: normal.loopAlerts
            delegate: AlertSlide {
                required property var modelData
                required property int index
                anchors.fill: parent
                alert: modelData
                active: normal.currentSlide === 3 + index && !normal.showAllClear
            }
        }
        AllClearCard {
            anchors.fill: parent
            allClear: normal.allClear
            visible: normal.showAllClear
        }
    }

    Row {
        id: dots
        anchors.horizontalCenter: stage.horizontalCenter
        y: stage.y + stage.height + Theme.gap
        height: Theme.px(20)
        spacing: Theme.px(18)
        visible: !normal.showAllClear

        Repeater {
            model: normal.slideCount
            delegate: Rectangle {
                required property int index
                width: index === normal.currentSlide ? Theme.px(56) : Theme.px(20)
                height: Theme.px(20)
                radius: height / 2
                color: index >= 3 ? Theme.minor : Theme.accent
                opacity: index === normal.currentSlide ? 1 : 0.35
            }
        }
    }

    // Emergency numbers: always useful, and they make an idle stele look cared for.
    Rectangle {
        id: emergency
        x: 0
        y: normal.height - normal.bottomInset - height
        width: normal.landscape ? header.width : normal.width
        height: Theme.px(96)
        visible: normal.landscape || normal.bottomInset === 0
        color: Theme.surface

        Row {
            anchors.centerIn: parent
            // Shrink as a whole rather than cut a number off in a narrow column.
            scale: Math.min(1, (emergency.width - 2 * Theme.smallGap) / Math.max(1, implicitWidth))
            spacing: Theme.gap
            Repeater {
                model: [{ "label": "Notruf", "number": "112" },
                        { "label": "Polizei", "number": "110" },
                        { "label": "Arzt", "number": "116 117" }]
                delegate: Row {
                    id: entry
                    required property var modelData
                    spacing: Theme.px(10)
                    SteleText {
                        anchors.baseline: number.baseline
                        text: entry.modelData.label
                        color: Theme.textMuted
                        font.pixelSize: Theme.px(30)
                        wrapMode: Text.NoWrap
                    }
                    SteleText {
                        id: number
                        text: entry.modelData.number
                        font.pixelSize: Theme.px(40)
                        font.bold: true
                        wrapMode: Text.NoWrap
                    }
                }
            }
        }
    }
}
