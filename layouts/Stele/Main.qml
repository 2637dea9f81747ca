import QtQuick
import Stele

// Root of the stele. Every screen exists from startup; the display mode only toggles
// visibility, so the crisis takeover appears without creating anything.
Item {
    id: root

    required property ScreenBridge bridge  // stele/ui/bridge.py; bridge.qmltypes
    required property ContentBridge content  // stele/ui/content_model.py: the city's playlist

    readonly property bool hasTop: bridge.top.identifier !== ""
    readonly property bool hasBanner: bridge.banner.identifier !== ""

    width: 1080
    height: 1920
    // An unknown or inconsistent mode falls back to the normal screen, never to nothing.
    state: bridge.mode === "crisis" && hasTop ? "crisis"
         : bridge.mode === "banner" && hasBanner ? "banner" : "normal"

    Binding {
        target: Theme
        property: "pack"
        value: root.bridge.theme
    }
    Binding {
        target: Theme
        property: "scale"
        value: Math.max(0.25, Math.min(root.width, root.height) / 1080)
    }
    // Letter sizes in millimetres on the glass: the window is the whole panel.
    Binding {
        target: Theme
        property: "pixelsPerMm"
        value: Math.hypot(root.width, root.height) / (root.bridge.diagonalInch * 25.4)
    }
    // One language for the whole screen, held until everything shown has been read.
    Binding {
        target: ScreenClock
        property: "languages"
        value: root.bridge.languages
    }
    Binding {
        target: ScreenClock
        property: "timeKnown"
        value: root.bridge.timeKnown
    }
    Binding {
        target: ScreenClock
        property: "holdUntil"
        value: Math.max(crisis.visible ? crisis.readUntil : 0,
                        banner.visible ? banner.readUntil : 0,
                        normal.visible ? normal.readUntil : 0)
    }

    NormalScreen {
        id: normal
        anchors.fill: parent
        city: root.bridge.city
        logo: root.bridge.logo
        loopAlerts: root.bridge.loopAlerts
        allClear: root.bridge.allClear
        rotationSeconds: root.bridge.rotationSeconds
        topInset: stale.visible ? stale.height : 0
        bottomInset: banner.visible ? banner.height : 0
        onAlertSlideShown: identifier => root.bridge.slideShown(identifier)
        contentSlides: root.content.slides
        notice: root.content.notice
        noticeName: root.content.noticeName
        tiles: root.content.tiles
        onContentShown: identifier => root.content.shown(identifier)
        onContentFailed: (identifier, reason) => root.content.failed(identifier, reason)
    }
    BannerOverlay {
        id: banner
        anchors.bottom: parent.bottom
        width: parent.width
        height: Math.round(Math.min(implicitHeight, root.height * Theme.bannerMaxShare))
        flat: root.width > root.height
        alert: root.bridge.banner
        visible: false
    }
    CrisisScreen {
        id: crisis
        anchors.fill: parent
        alert: root.bridge.top
        others: root.bridge.others
        othersMore: root.bridge.othersMore
        onListedShownChanged: root.bridge.listedShown(listedShown)
        topInset: stale.visible ? stale.height : 0
        visible: false
    }
    StaleBadge {
        id: stale
        anchors.top: parent.top
        width: parent.width
        staleText: root.bridge.staleText
        visible: !root.bridge.connected
    }
    IdentifyOverlay {
        anchors.fill: parent
        deviceId: root.bridge.deviceId
        visible: root.bridge.identify
    }
    // Boot-time rehearsal (stele/ui/warmup.py): the screens below render once with sample
    // text so glyphs and textures exist before the first real alert; nobody sees them.
    Rectangle {
        anchors.fill: parent
        color: Theme.background
        visible: root.bridge.warmingUp
    }
    // Display-power fallback: when the panel cannot be switched off, draw black.
    Rectangle {
        anchors.fill: parent
        color: Theme.blanked
        visible: root.bridge.blanked
    }

    states: [
        State {
            name: "normal"
        },
        State {
            name: "banner"
            PropertyChanges { banner.visible: true }
        },
        State {
            name: "crisis"
            PropertyChanges { crisis.visible: true }
            PropertyChanges { normal.visible: false }
        }
    ]
}
