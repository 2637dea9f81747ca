import QtQuick
import Stele

// One alert in OthersList: its level colour and pictogram, and its headline in the screen's
// language (two lines at most, paged beyond).
Item {
    id: row

    // Roles of AlertListModel (stele/ui/models.py): OthersList's Repeater sets them.
    required property string severity
    required property string category
    required property bool exercise
    required property var texts
    property bool onPage: true   // on the list's current page (shown and laid out only then)
    property color textColor: Theme.onAlert
    property int maxLines: 2

    readonly property PickedText t: PickedText { texts: row.texts }
    property alias headline: headline

    visible: onPage
    implicitHeight: Math.max(plate.height, headline.height)
    LayoutMirroring.enabled: t.rtl
    LayoutMirroring.childrenInherit: true

    Rectangle {
        id: plate
        anchors.left: parent.left
        width: Theme.othersBadgeSize
        height: Theme.othersBadgeSize
        radius: Theme.plateRadius
        color: Theme.levelColor(row.severity)
        border.color: Theme.badge
        border.width: Theme.tabBorder

        Pictogram {
            anchors.fill: parent
            anchors.margins: parent.width * 0.18
            category: row.category
            color: Theme.levelTextColor(row.severity)
            knockout: parent.color
        }
    }
    PagedText {
        id: headline
        anchors.left: plate.right
        anchors.leftMargin: Theme.smallGap
        anchors.right: parent.right
        maxLines: row.maxLines
        text: (row.exercise ? Strings.exercise + ": " : "")
              + row.t.headline
        color: row.textColor
        font.pixelSize: Theme.othersSize
        font.bold: true
    }
}
