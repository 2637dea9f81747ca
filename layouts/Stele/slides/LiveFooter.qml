import QtQuick
import Stele

// "Stand: …" (when the data was fetched) and the source's attribution, at the foot of a
// live-data slide.
PagedText {
    maxLines: 2
    color: Theme.textMuted
    font.pixelSize: Theme.contentSmallSize
}
