pragma Singleton
import QtQuick

// Every colour, size and spacing of the stele. A city's design is a different Theme,
// not a fork of the screens. Sizes are for a 1080 px short side and scale with it.
QtObject {
    // Set by Main from the window size (short side / 1080).
    property real scale: 1.0

    function px(v: real): int {
        return Math.round(v * scale)
    }

    readonly property string fontFamily: "DejaVu Sans"

    // Normal rotation
    readonly property color background: "#0b2545"
    readonly property color backgroundDeep: "#071a33"
    readonly property color surface: "#13315c"
    readonly property color surfaceHigh: "#1d4274"
    readonly property color text: "#ffffff"
    readonly property color textMuted: "#c5d3e6"
    readonly property color accent: "#ffcc33"
    readonly property color accentText: "#0b2545"

    // Alert levels (civil-protection colours)
    readonly property color extreme: "#b3001b"
    readonly property color extremeDeep: "#8a0015"
    readonly property color severe: "#c93a00"
    readonly property color severeDeep: "#9e2d00"
    readonly property color moderate: "#f5a300"
    readonly property color moderateText: "#111111"
    readonly property color minor: "#ffd43b"
    readonly property color minorText: "#111111"
    readonly property color onAlert: "#ffffff"
    readonly property color instructionCard: "#ffffff"
    readonly property color instructionText: "#111111"
    readonly property color allClear: "#1e7b34"
    readonly property color allClearDeep: "#16602a"
    readonly property color exerciseYellow: "#ffd500"
    readonly property color exerciseBlack: "#111111"
    readonly property color staleBackground: "#2b2b2b"
    readonly property color staleText: "#ffd500"
    readonly property color identifyBackground: "#f5000000"
    readonly property color identifyAccent: "#00b8d4"
    readonly property color qrBackground: "#ffffff"
    readonly property color shade: "#33000000"

    function levelColor(severity: string): color {
        switch (severity) {
        case "Extreme": return extreme
        case "Severe": return severe
        case "Moderate": return moderate
        default: return minor
        }
    }
    function levelDeepColor(severity: string): color {
        switch (severity) {
        case "Extreme": return extremeDeep
        case "Severe": return severeDeep
        default: return shade
        }
    }
    function levelTextColor(severity: string): color {
        return severity === "Extreme" || severity === "Severe" ? onAlert : moderateText
    }

    // Spacing
    readonly property int margin: px(56)
    readonly property int gap: px(32)
    readonly property int smallGap: px(16)
    readonly property int radius: px(24)

    // Type sizes (pixels)
    readonly property int clockSize: px(230)
    readonly property int dateSize: px(50)
    readonly property int citySize: px(54)
    readonly property int slideTitleSize: px(76)
    readonly property int slideBodySize: px(44)
    readonly property int slideSmallSize: px(34)
    readonly property int headlineSize: px(96)
    readonly property int headlineMinSize: px(48)
    readonly property int instructionSize: px(50)
    readonly property int instructionMinSize: px(28)
    readonly property int descriptionSize: px(40)
    readonly property int descriptionMinSize: px(24)
    readonly property int metaSize: px(34)
    readonly property int labelSize: px(30)
    readonly property int severitySize: px(44)
    readonly property int eventSize: px(52)
    readonly property int bannerHeadlineSize: px(60)
    readonly property int bannerTextSize: px(36)
    readonly property int othersSize: px(36)
    readonly property int exerciseSize: px(44)
    readonly property int staleSize: px(34)
    readonly property int identifySize: px(200)

    // Element sizes
    readonly property int pictogramSize: px(190)
    readonly property int qrSize: px(250)
    readonly property int exerciseBandHeight: px(92)
    readonly property int staleHeight: px(72)

    // Timing
    property int languageSeconds: 8  // writable so tests need not wait
    readonly property int fadeMs: 450
}
