import QtQuick
import Stele

// Warning text at its legible size, never shrunk and never cut. What does not fit into
// `maxHeight` (or `maxLines`) is shown a page of whole lines at a time, with "2/3" at the
// end of each page's last line (that line is laid out shorter to leave it room): each page
// long enough to read its words at Theme.wordsPerMinute, and at least Theme.pageSeconds.
// Pages count on the screen clock from when the text came on (changed or became visible).
// Every line has the same pitch (lineStep), so a page is an exact window of lines.
Item {
    id: pagedText

    property string text: ""
    property alias font: body.font
    property alias color: body.color
    property alias horizontalAlignment: body.horizontalAlignment
    property real maxHeight: Number.POSITIVE_INFINITY
    property int maxLines: 0  // > 0: at most this many lines a page

    readonly property real lineStep: Math.ceil(body.font.pixelSize * Theme.lineSpacing)
    // Lines a page holds; every such line is laid out short, leaving room for the page mark.
    readonly property int pageLines: {
        const byHeight = Math.floor(maxHeight / lineStep)
        const lines = maxLines > 0 ? Math.min(maxLines, byHeight) : byHeight
        return Number.isFinite(lines) ? Math.max(1, lines) : 0
    }
    readonly property int lineCount: text === "" ? 0 : body.lineCount
    // Height of all lines at full width: what the text asks of a layout. Measured on a twin
    // that is never drawn, as the drawn lines depend on the page size the layout gives.
    readonly property real naturalHeight: (text === "" ? 0 : twin.lineCount) * lineStep
    readonly property bool paged: pageLines > 0 && lineCount > pageLines
    readonly property int linesPerPage: paged ? pageLines : lineCount
    readonly property int pageCount: lineCount > 0 ? Math.ceil(lineCount / linesPerPage) : 0
    readonly property int words: text === "" ? 0 : text.trim().split(/\s+/).length
    readonly property real pageMs: Math.max(Theme.pageSeconds * 1000,
                                            words / Math.max(1, pageCount) / Theme.wordsPerMinute * 60000)
    // Time to read it once, every page.
    readonly property real cycleMs: pageCount * pageMs
    property real epoch: Date.now()
    readonly property int page: pageCount > 1
                                ? Math.floor(Math.max(0, ScreenClock.now - epoch) / pageMs) % pageCount : 0

    implicitHeight: linesPerPage * lineStep
    height: implicitHeight

    onTextChanged: epoch = Date.now()
    // The short lines (onLineLaidOut) depend on these: lay the text out again.
    onPageLinesChanged: body.forceLayout()
    onVisibleChanged: {
        if (visible)
            epoch = Date.now()
    }

    Text {
        id: twin
        visible: false
        width: body.width
        text: pagedText.text
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        font: body.font
    }
    Item {
        id: window
        width: parent.width
        height: pagedText.linesPerPage * pagedText.lineStep
        clip: pagedText.paged

        Text {
            id: body
            width: parent.width
            y: -pagedText.page * pagedText.linesPerPage * pagedText.lineStep
            text: pagedText.text
            textFormat: Text.PlainText
            // At word boundaries and soft hyphens; inside a word only if it is wider than a line.
            wrapMode: Text.Wrap
            elide: Text.ElideNone
            lineHeightMode: Text.FixedHeight
            lineHeight: pagedText.lineStep
            color: Theme.text
            font.family: Theme.fontFamily
            horizontalAlignment: Text.AlignLeft
            verticalAlignment: Text.AlignTop
            onLineLaidOut: line => {
                if (pagedText.pageLines > 0 && (line.number + 1) % pagedText.pageLines === 0)
                    line.width = width - mark.reserve
            }
        }
    }
    PageMark {
        id: mark

        // Wide enough for "205/205": a 3,000-character text on one line a page.
        readonly property real reserve: widest.implicitWidth + Theme.smallGap

        onReserveChanged: body.forceLayout()

        // On the baseline of the page's last line, in the room left at its end. (Qt centres
        // each line's glyphs in its step, so half the spare room of Theme.lineSpacing lies
        // between a page's edge and its first or last line: no sliver of a line before or
        // after the page shows.)
        anchors.right: parent.right
        y: (pagedText.linesPerPage - 1) * pagedText.lineStep + body.baselineOffset - baselineOffset
        page: pagedText.page
        count: pagedText.paged ? pagedText.pageCount : 1
        color: body.color

        Text {
            id: widest
            visible: false
            text: "888/888"
            textFormat: Text.PlainText
            font: mark.font
        }
    }
}
