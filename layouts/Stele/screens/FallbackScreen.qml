import QtQuick
import Stele

// Shown when no content item is eligible (spec: content.md §2): the city, its logo, the
// clock, the date and the emergency numbers — designed, never black. The player decides when;
// this only draws. Letters are sized for reading from across the square (Theme tokens).
Rectangle {
    id: fallback

    required property string city
    required property string logo   // file URL of the city's logo, "" for none
    property int topInset: 0
    property int bottomInset: 0     // room kept free for the banner

    readonly property bool landscape: width > height
    readonly property date now: new Date(ScreenClock.now)
    // The clock as large as the room between the city's band and the numbers allows (a
    // banner over a landscape panel takes much of it), never below what reads from across
    // the square.
    readonly property int clockSize: {
        const room = emergency.y - top.y - top.height - 2 * Theme.smallGap
                     - dateText.height - middle.spacing
        const fits = Math.floor(room / (Theme.boldMetrics.height / Theme.boldMetrics.font.pixelSize))
        return Math.max(Theme.farSize, Math.min(Theme.fallbackClockSize, fits))
    }

    color: Theme.background

    Rectangle {
        id: top
        y: fallback.topInset
        width: parent.width
        // Its share of the screen (the logo's room), grown where the city's name needs more.
        readonly property int share: Math.round((emergency.y - y) * (fallback.landscape ? 0.34 : 0.3))
        height: Math.max(share, cityText.height + 2 * Theme.smallGap)
        color: Theme.backgroundDeep

        // Logo and name centred together; a long name wraps (two lines), never shrinks.
        readonly property int logoSpace: logoImage.visible ? logoImage.width + Theme.gap : 0
        readonly property int cityWidth: Math.min(Math.ceil(cityMetrics.advanceWidth) + 1,
                                                  width - 2 * Theme.margin - logoSpace)

        TextMetrics {
            id: cityMetrics
            font: cityText.font
            text: fallback.city
        }

        Image {
            id: logoImage
            objectName: "fallbackLogo"
            x: Math.round((top.width - top.logoSpace - top.cityWidth) / 2)
            anchors.verticalCenter: parent.verticalCenter
            visible: fallback.logo !== "" && status === Image.Ready
            source: fallback.logo
            height: Math.min(Theme.fallbackLogoSize, top.share - 2 * Theme.smallGap)
            width: visible ? height : 0
            sourceSize.height: height
            fillMode: Image.PreserveAspectFit
        }
        SteleText {
            id: cityText
            objectName: "fallbackCity"
            x: Math.round((top.width - top.logoSpace - top.cityWidth) / 2) + top.logoSpace
            anchors.verticalCenter: parent.verticalCenter
            width: top.cityWidth
            text: fallback.city
            color: Theme.accent
            font.pixelSize: Theme.fallbackCitySize
            font.bold: true
            maximumLineCount: 2
        }
    }

    Column {
        id: middle
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.verticalCenter: parent.verticalCenter
        anchors.verticalCenterOffset: (top.y + top.height + emergency.y) / 2 - fallback.height / 2
        width: parent.width - 2 * Theme.margin
        spacing: Theme.smallGap

        SteleText {
            objectName: "fallbackClock"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: Qt.formatTime(fallback.now, "HH:mm")
            visible: ScreenClock.timeKnown
            font.pixelSize: fallback.clockSize
            font.bold: true
            wrapMode: Text.NoWrap
        }
        SteleText {
            id: dateText
            objectName: "fallbackDate"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: fallback.now.toLocaleDateString(Qt.locale("de_DE"), "dddd, d. MMMM yyyy")
            color: Theme.textMuted
            font.pixelSize: Theme.fallbackDateSize
            maximumLineCount: 2
            visible: ScreenClock.timeKnown
        }
    }

    EmergencyNumbers {
        id: emergency
        objectName: "fallbackEmergency"
        y: fallback.height - fallback.bottomInset - height
        width: fallback.width
    }
}
