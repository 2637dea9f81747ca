pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The OSCA Touchscreen layout on a touch panel (docs/osca.md): 2×2 tiles in the content's
// place. A tap opens a tile large, drawn by the rotation's own slides (paged text, legible
// sizes); it closes on "Schließen" or after Theme.tileCloseMs without a touch. A tile type
// this stele cannot show is a designed tile saying so, never an error.
Item {
    id: grid

    required property var tiles     // stele/ui/osca_grid.py's maps, by position
    property int openIndex: -1
    readonly property var opened: openIndex >= 0 && openIndex < tiles.length
                                  ? tiles[openIndex] : null
    // What is on the glass: the opened tile's slide, else the grid (status `slide`).
    readonly property string shownId: opened ? String(opened.slide.slideId) : "osca-grid"

    function urlOf(kind: string): url {
        switch (kind) {
        case "image": return Qt.resolvedUrl("../slides/ImageSlide.qml")
        case "news": return Qt.resolvedUrl("../slides/NewsSlide.qml")
        case "weather": return Qt.resolvedUrl("../slides/WeatherSlide.qml")
        default: return Qt.resolvedUrl("../slides/TextSlide.qml")
        }
    }
    function open(index: int) {
        openIndex = index
        inactivity.restart()
    }
    onTilesChanged: if (openIndex >= tiles.length) openIndex = -1

    Grid {
        id: cells
        anchors.fill: parent
        columns: 2
        spacing: Theme.gap
        visible: grid.opened === null

        Repeater {
            model: grid.tiles
            delegate: Rectangle {
                id: tile
                required property var modelData
                required property int index
                objectName: "tile" + index
                width: (cells.width - cells.spacing) / 2
                height: (cells.height - cells.spacing) / 2
                radius: Theme.radius
                color: modelData.available ? Theme.surface : Theme.backgroundDeep
                border.color: Theme.surfaceHigh
                border.width: modelData.available ? 0 : Theme.stripeBorder
                clip: true

                Image {
                    anchors.fill: parent
                    visible: tile.modelData.image !== ""
                    source: tile.modelData.image
                    fillMode: Image.PreserveAspectCrop
                    sourceSize.width: Math.max(1, width)
                    sourceSize.height: Math.max(1, height)
                    asynchronous: true
                }
                Rectangle {
                    anchors.fill: face
                    anchors.margins: -Theme.smallGap
                    color: Theme.captionBand
                    visible: tile.modelData.image !== ""
                }
                Column {
                    id: face
                    x: Theme.gap
                    y: Theme.gap
                    width: parent.width - 2 * Theme.gap
                    spacing: Theme.smallGap

                    SteleText {
                        width: parent.width
                        text: tile.modelData.heading
                        color: Theme.accent
                        font.pixelSize: Theme.contentSmallSize
                        font.bold: true
                        maximumLineCount: 2
                    }
                    Repeater {
                        model: tile.modelData.lines
                        delegate: SteleText {
                            required property string modelData
                            width: face.width
                            text: modelData
                            font.pixelSize: Theme.contentSmallSize
                            maximumLineCount: 3
                        }
                    }
                }
                TapHandler {
                    onTapped: grid.open(tile.index)
                }
            }
        }
    }

    Rectangle {
        id: large
        objectName: "tileLarge"
        anchors.fill: parent
        visible: grid.opened !== null
        color: Theme.background

        Loader {
            id: slideLoader
            anchors.top: parent.top
            anchors.bottom: closeButton.top
            anchors.bottomMargin: Theme.gap
            width: parent.width
            active: large.visible
            source: grid.opened ? grid.urlOf(String(grid.opened.slide.kind)) : ""
            onLoaded: {
                const slide = item as ContentSlide
                slide.entry = grid.opened.slide
                slide.playing = true
            }
        }
        Rectangle {
            id: closeButton
            objectName: "tileClose"
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottom: parent.bottom
            width: closeText.implicitWidth + 2 * Theme.gap
            height: closeText.implicitHeight + 2 * Theme.smallGap
            radius: height / 2
            color: Theme.accent

            SteleText {
                id: closeText
                anchors.centerIn: parent
                text: "Schließen"
                color: Theme.accentText
                font.pixelSize: Theme.contentSmallSize
                font.bold: true
            }
            TapHandler {
                onTapped: grid.openIndex = -1
            }
        }
        // Any touch on the opened tile keeps it open another Theme.tileCloseMs.
        TapHandler {
            onTapped: inactivity.restart()
        }
    }
    Timer {
        id: inactivity
        interval: Theme.tileCloseMs
        running: grid.opened !== null
        onTriggered: grid.openIndex = -1
    }
}
