pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Layouts
import Stele

// The alerts behind the top one: level colour, pictogram and headline in the screen's
// language, each headline on at most two lines (paged beyond). When there are more alerts
// than `perPage`, the list shows them a page at a time ("1/2"), so none is left out.
Rectangle {
    id: list

    required property AlertListModel alerts   // the listed alerts (capped: stele/domain/screen.py)
    property int more: 0      // further alerts that do not fit the list, only counted
    property color textColor: Theme.onAlert
    property string language: "de"
    property int columns: 1
    property int perPage: 3
    property real maxHeight: Number.POSITIVE_INFINITY

    // As many alerts a page as fit into maxHeight (one at least), each headline on two lines,
    // or on one (paged beyond) when even one alert on two lines does not fit.
    readonly property real rowStep: Math.ceil(Theme.othersSize * Theme.lineSpacing)
    readonly property real rowsRoom: maxHeight - 2 * Theme.smallGap - header.height - column.spacing
    readonly property int rowLines: rowsRoom >= 2 * rowStep ? 2 : 1
    readonly property real rowHeight: Math.max(Theme.othersBadgeSize, rowLines * rowStep)
    readonly property int shownPerPage: Math.max(1, Math.min(perPage, Math.floor(
        (rowsRoom + grid.rowSpacing) / (rowHeight + grid.rowSpacing))))
    readonly property int pageCount: Math.max(1, Math.ceil(alerts.count / shownPerPage))
    property int page: 0
    property real pageSince: Date.now()
    // A page stays until each of its headlines has been read through its own pages.
    readonly property real pageUntil: Math.max(pageSince + Theme.pageSeconds * 1000,
                                               ScreenClock.readUntil(rows.texts))
    readonly property var texts: rows.texts  // for the screen's reading time
    // The alerts on the glass now (this page): the kiosk acks only those as "listed".
    readonly property var shownIds: visible ? alerts.identifiers.slice(page * shownPerPage,
                                                                       (page + 1) * shownPerPage)
                                            : []
    readonly property real readUntil: pageCount > 1
                                      ? pageUntil + (pageCount - 1 - page) * Theme.pageSeconds * 1000
                                      : pageUntil

    visible: alerts.count > 0
    implicitHeight: visible ? column.implicitHeight + 2 * Theme.smallGap : 0
    radius: Theme.radius
    color: Theme.shade

    function restart() {
        page = 0
        pageSince = Date.now()
    }

    onVisibleChanged: restart()

    // Any change to the listed alerts starts the list again at its first page.
    Connections {
        target: list.alerts
        function onDataChanged() { list.restart() }
        function onRowsInserted() { list.restart() }
        function onRowsRemoved() { list.restart() }
        function onModelReset() { list.restart() }
    }

    Connections {
        target: ScreenClock
        enabled: list.visible && list.pageCount > 1
        function onNowChanged() {
            if (ScreenClock.now >= list.pageUntil) {
                list.page = (list.page + 1) % list.pageCount
                list.pageSince = ScreenClock.now
            }
        }
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.smallGap
        anchors.leftMargin: Theme.gap
        anchors.rightMargin: Theme.gap
        spacing: Theme.rowGap

        RowLayout {
            id: header
            Layout.fillWidth: true
            SteleText {
                Layout.fillWidth: true
                text: Strings.t("others", list.language).toUpperCase()
                      + " (" + (list.alerts.count + list.more) + ")"
                color: list.textColor
                font.pixelSize: Theme.labelSize
                font.bold: true
                font.letterSpacing: Theme.tracking
                elide: Text.ElideNone
            }
            SteleText {
                visible: list.more > 0
                text: Strings.t("more", list.language).arg(list.more)
                color: list.textColor
                font.pixelSize: Theme.labelSize
                font.bold: true
                elide: Text.ElideNone
            }
            PageMark {
                page: list.page
                count: list.pageCount
                color: list.textColor
            }
        }
        GridLayout {
            id: grid
            Layout.fillWidth: true
            columns: list.columns
            columnSpacing: Theme.gap
            rowSpacing: Theme.rowGap

            Repeater {
                id: rows

                readonly property var texts: {
                    const found = []
                    for (let i = 0; i < count; ++i) {
                        const row = itemAt(i) as ListedAlert
                        if (row && row.onPage)
                            found.push(row.headline)
                    }
                    return found
                }

                model: list.alerts
                delegate: ListedAlert {
                    required property int index
                    onPage: index >= list.page * list.shownPerPage
                            && index < (list.page + 1) * list.shownPerPage
                    Layout.fillWidth: true
                    maxLines: list.rowLines
                    Layout.preferredWidth: 1
                    Layout.alignment: Qt.AlignTop
                    textColor: list.textColor
                }
            }
        }
    }
}
