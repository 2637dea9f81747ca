import QtQuick
import Stele

// Who sent an alert, as of when, for where: one line (two at most, paged beyond) at the foot
// of the banner and of an alert slide.
PagedText {
    id: footer

    required property PickedText picked
    required property string language
    required property string sentTime

    maxLines: 2
    text: [picked.senderName, Strings.at("asOf", language, sentTime), picked.area]
          .filter(s => s !== "").join(" · ")
    font.pixelSize: Theme.metaSize
}
