pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The everyday rotation: city, clock and date beside rotating slides, the emergency numbers
// always in view. The city's content plays first (ContentStage: each slide cross-faded in
// once it is ready), then minor alerts join as slides, each staying until it has been read;
// an all-clear card covers the slides while it is shown. With nothing at all to play the whole
// screen is the designed FallbackScreen (docs/content.md: "When nothing plays"). Hidden under
// a takeover, the rotation pauses and resumes where it was.
Rectangle {
    id: normal

    property string city: ""
    property string logo: ""   // file URL of the city's logo, "" for none
    required property AlertListModel loopAlerts   // the minor alerts, a slide each
    required property ContentSlideModel contentSlides   // the city's playlist
    // In the content's place while alert slides rotate with no content (the greeting).
    property Component fallback: welcome
    // The content source's notice in that slot instead ("" for none): docs/osca.md.
    property string notice: ""
    property string noticeName: ""
    property var tiles: []   // a touch panel's tile grid in the content's place (docs/osca.md)
    readonly property bool showTiles: tiles.length > 0 && !showAllClear
                                      && currentSlide < firstAlertSlide
    required property AllClearEntry allClear  // identifier "" for none
    property int rotationSeconds: 12
    property int topInset: 0
    property int bottomInset: 0   // room kept free for the banner

    readonly property bool landscape: width > height
    readonly property bool showAllClear: allClear.identifier !== ""
    readonly property int contentCount: contentSlides.count
    readonly property int firstAlertSlide: Math.max(1, contentCount)
    readonly property int slideCount: firstAlertSlide + loopAlerts.count
    property int slideIndex: 0
    readonly property int currentSlide: slideIndex % slideCount
    property real slideSince: Date.now()
    readonly property bool contentTurn: currentSlide < contentCount && !showAllClear
    property real pausedAt: 0
    // A content slide stays its duration once fully on the glass (and until its text has
    // been read); an alert slide until it has been read, the others rotationSeconds.
    readonly property real slideUntil: {
        // A tile someone opened stays until it closes (untouched for Theme.tileCloseMs).
        if (showTiles && tileGrid.opened !== null)
            return Number.MAX_SAFE_INTEGER
        if (contentTurn)
            return content.shownId !== "" && content.shownId === content.wantId
                   ? Math.max(content.shownSince + content.durationMs * Theme.testOnlyTimeScale,
                              content.readUntil)
                   : Number.MAX_SAFE_INTEGER
        const slide = currentSlide >= firstAlertSlide && alertSlides.count > 0
                      ? alertSlides.itemAt(currentSlide - firstAlertSlide) as AlertSlide : null
        return Math.max(slideSince + rotationSeconds * 1000, slide ? slide.readUntil : 0)
    }
    // When what is shown has been read (the screen clock holds its language until then).
    readonly property real readUntil: {
        if (showAllClear)
            return allClearCard.readUntil
        const slide = currentSlide >= firstAlertSlide && alertSlides.count > 0
                      ? alertSlides.itemAt(currentSlide - firstAlertSlide) as AlertSlide : null
        return slide ? slide.readUntil : 0
    }
    // An alert slide fully drawn over the stage: the content under it need not be drawn.
    readonly property bool alertCovers: {
        const slide = currentSlide >= firstAlertSlide && alertSlides.count > 0
                      ? alertSlides.itemAt(currentSlide - firstAlertSlide) as AlertSlide : null
        return showAllClear || (slide !== null && slide.opacity >= 1)
    }
    // Nothing of the rotation to show (docs/content.md §2): no content slide has come on the
    // glass (none eligible, or the first still loading), no alert slide, no all-clear card, no
    // notice or tile grid. The fallback screen then covers everything; it goes only once the
    // first content slide is fully drawn, so no half-loaded stage is ever seen.
    readonly property bool nothingToPlay: content.shownId === "" && loopAlerts.count === 0
                                          && !showAllClear && notice === "" && tiles.length === 0
    // The rotation's dots; the stage's size follows this, not whether the dots are drawn, so
    // a slide loaded under the fallback screen is not resized (and decoded again) as it ends.
    readonly property bool showDots: !showAllClear && slideCount > 1
    property date now: new Date()
    // The alert whose slide is on the glass now ("" for none): the kiosk acks it as a slide.
    readonly property string shownAlert: visible && !showAllClear
                                         && currentSlide >= firstAlertSlide
                                         && currentSlide - firstAlertSlide < loopAlerts.count
                                         ? loopAlerts.identifiers[currentSlide - firstAlertSlide]
                                         : ""
    // The content slide on the glass now ("" for none): status "slide" and proof of play.
    // (The one fully drawn: while the next one loads and fades in, still the one before.)
    readonly property string shownContent: !visible ? ""
                                           : showTiles ? tileGrid.shownId
                                           : contentTurn ? content.shownId : ""
    property var knownAlerts: []
    // While new alerts come in: the slide jumped to is on the glass at once, not faded in.
    property bool jumping: false

    signal alertSlideShown(string identifier)
    signal contentShown(string identifier)
    signal contentFailed(string identifier, string reason)

    onShownAlertChanged: if (shownAlert !== "") alertSlideShown(shownAlert)
    onShownContentChanged: contentShown(shownContent)
    // Under a takeover time stands still for the rotation: it resumes where it was.
    onVisibleChanged: {
        if (!visible) {
            pausedAt = Date.now()
        } else if (pausedAt > 0) {
            const paused = Date.now() - pausedAt
            slideSince += paused
            if (content.shownSince > 0)
                content.shownSince += paused
            pausedAt = 0
        }
    }

    function advance() {
        slideIndex = (currentSlide + 1) % slideCount
        slideSince = ScreenClock.now
    }

    // A new playlist: stay on the slide that is showing if it is still in it.
    Connections {
        target: normal.contentSlides
        function onIdentifiersChanged() {
            const at = normal.contentSlides.identifiers.indexOf(content.shownId)
            if (at >= 0 && normal.currentSlide < normal.firstAlertSlide)
                normal.slideIndex = at
        }
    }
    Component {
        id: configuring
        ConfiguringScreen {
            message: normal.notice
            steleName: normal.noticeName
        }
    }
    Component {
        id: welcome
        WelcomeSlide {
            city: normal.city
            active: true
            instant: true
        }
    }

    // A new alert in the rotation is shown at once, not when the rotation comes round to it.
    Connections {
        target: normal.loopAlerts
        function onRowsAboutToBeInserted() { normal.jumping = true }
        function onModelAboutToBeReset() { normal.jumping = true }
        function onIdentifiersChanged() {
            const ids = normal.loopAlerts.identifiers
            const fresh = ids.findIndex(id => normal.knownAlerts.indexOf(id) < 0)
            normal.knownAlerts = ids
            if (fresh >= 0) {
                normal.slideIndex = normal.firstAlertSlide + fresh
                normal.slideSince = Date.now()
            }
            normal.jumping = false
        }
    }

    color: Theme.background

    Timer {
        interval: 1000
        running: true
        repeat: true
        triggeredOnStart: true
        onTriggered: normal.now = new Date()
    }
    Connections {
        target: ScreenClock
        enabled: normal.visible && normal.slideCount > 1 && !normal.showAllClear
        function onNowChanged() {
            if (ScreenClock.now >= normal.slideUntil)
                normal.advance()
        }
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
            id: clockColumn
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.smallGap

            Row {
                id: cityRow
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
                // Smaller where the column is short (a small landscape panel with a banner).
                height: Math.max(Theme.clockSize * 0.3,
                                 Math.min(Theme.clockSize * 1.05,
                                          header.height - 2 * Theme.smallGap - cityRow.height
                                          - date.height - 2 * clockColumn.spacing))
                text: Qt.formatTime(normal.now, "HH:mm")
                visible: ScreenClock.timeKnown
                font.pixelSize: Theme.clockSize
                minimumPixelSize: Theme.minimumFitSize
                font.bold: true
                wrapMode: Text.NoWrap
                fontSizeMode: Text.Fit
                verticalAlignment: Text.AlignVCenter
            }
            SteleText {
                id: date
                width: parent.width
                text: normal.now.toLocaleDateString(Qt.locale("de_DE"),
                                                    normal.landscape ? "dddd,\nd. MMMM yyyy"
                                                                     : "dddd, d. MMMM yyyy")
                color: Theme.textMuted
                font.pixelSize: Theme.dateSize
                maximumLineCount: 2
                visible: ScreenClock.timeKnown
            }
        }
    }

    Item {
        id: stage
        x: normal.landscape ? header.width + Theme.margin : Theme.margin
        y: normal.landscape ? normal.topInset + Theme.margin : header.y + header.height + Theme.margin
        width: normal.width - x - Theme.margin
        height: (normal.landscape ? normal.height - normal.bottomInset : emergency.y)
                - y - (normal.showDots ? dots.height + Theme.gap : 0) - Theme.gap

        Loader {
            id: fallbackSlot
            objectName: "fallbackSlot"
            anchors.fill: parent
            active: (normal.contentCount === 0 || content.shownId === "") && !normal.showTiles
            visible: !normal.alertCovers
            sourceComponent: normal.notice !== "" ? configuring : normal.fallback
        }
        ContentStage {
            id: content
            anchors.fill: parent
            slides: normal.contentSlides
            want: normal.contentTurn ? normal.currentSlide : -1
            upcoming: normal.contentCount > 0 ? (normal.currentSlide + 1) % normal.contentCount : -1
            paused: !normal.visible
            visible: normal.contentCount > 0 && !normal.alertCovers
            onFailed: (slideId, reason) => {
                normal.contentFailed(slideId, reason)
                if (slideId === content.wantId && normal.slideCount > 1)
                    normal.advance()
            }
        }
        TileGrid {
            id: tileGrid
            objectName: "tileGrid"
            anchors.fill: parent
            tiles: normal.tiles
            visible: normal.showTiles && !normal.alertCovers
        }
        Repeater {
            id: alertSlides
            model: normal.loopAlerts
            delegate: AlertSlide {
                required property int index
                anchors.fill: parent
                instant: normal.jumping
                active: normal.currentSlide === normal.firstAlertSlide + index
                        && !normal.showAllClear
            }
        }
        AllClearCard {
            id: allClearCard
            anchors.fill: parent
            allClear: normal.allClear
            visible: normal.showAllClear
        }
    }

    Row {
        id: dots
        anchors.horizontalCenter: stage.horizontalCenter
        y: stage.y + stage.height + Theme.gap
        height: Theme.dotSize
        spacing: Theme.dotGap
        visible: normal.showDots

        Repeater {
            model: normal.slideCount
            delegate: Rectangle {
                required property int index
                width: index === normal.currentSlide ? Theme.dotActiveWidth : Theme.dotSize
                height: Theme.dotSize
                radius: height / 2
                color: index >= normal.firstAlertSlide ? Theme.minor : Theme.accent
                opacity: index === normal.currentSlide ? 1 : 0.35
            }
        }
    }

    // Emergency numbers: always in view, also above a banner (Main keeps them clear of it).
    EmergencyNumbers {
        id: emergency
        objectName: "emergencyNumbers"
        x: 0
        y: normal.height - normal.bottomInset - height
        width: normal.landscape ? header.width : normal.width
    }

    // Part of this screen, not of Main: the stage goes on loading under it (a hidden
    // NormalScreen would pause), and a takeover hides both at once.
    FallbackScreen {
        id: fallbackScreen
        objectName: "fallbackScreen"
        anchors.fill: parent
        city: normal.city
        logo: normal.logo
        topInset: normal.topInset
        bottomInset: normal.bottomInset
        visible: false
    }

    states: State {
        name: "fallback"
        when: normal.nothingToPlay
        PropertyChanges { fallbackScreen.visible: true }
        PropertyChanges { header.visible: false }
        PropertyChanges { stage.visible: false }
        PropertyChanges { dots.visible: false }
        PropertyChanges { emergency.visible: false }
    }
}
