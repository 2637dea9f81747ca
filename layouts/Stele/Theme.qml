pragma Singleton
import QtQuick

// Every colour, size and spacing of the stele. A city's design is a different Theme,
// not a fork of the screens. Sizes are for a 1080 px short side and scale with it.
QtObject {
    id: theme

    // Set by Main from the window size (short side / 1080).
    property real scale: 1.0

    function px(v: real): int {
        return Math.round(v * scale)
    }

    // Set by Main: the city's theme pack (stele/ui/theme.py, a folder with a theme.toml).
    // Without one (the technician screens) the neutral look below; the neutral pack in
    // layouts/themes/neutral holds the same values (tests/ui/test_theme.py).
    property CityTheme pack: null

    readonly property string fontFamily: pack ? pack.fontFamily : "DejaVu Sans"

    // Everyday screens: the theme's colours. Every text colour stands out from every surface
    // it is drawn on by at least 7:1 (checked when the pack is loaded); surfaceHigh carries
    // `text` only.
    readonly property color background: pack ? pack.background : "#0b2545"
    readonly property color backgroundDeep: pack ? pack.backgroundDeep : "#071a33"
    readonly property color surface: pack ? pack.surface : "#13315c"
    readonly property color surfaceHigh: pack ? pack.surfaceHigh : "#1d4274"
    readonly property color text: pack ? pack.text : "#ffffff"
    readonly property color textMuted: pack ? pack.textMuted : "#c5d3e6"
    readonly property color accent: pack ? pack.accent : "#ffcc33"
    readonly property color accentText: pack ? pack.accentText : "#0b2545"
    readonly property var emergencyNumbers: pack ? pack.emergencyNumbers
                                                 : [{ "label": "Notruf", "number": "112" },
                                                    { "label": "Polizei", "number": "110" },
                                                    { "label": "Arzt", "number": "116 117" }]

    // Alert levels (civil-protection colours): the same in every theme
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
    readonly property color badge: "#ffffff"       // plate behind a pictogram, its border
    readonly property color blanked: "#000000"     // the panel drawn dark (display-power fallback)

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
    // Small spacings and strokes, one name each (a city theme changes them here, not in files)
    readonly property int tightGap: px(4)
    readonly property int tinyGap: px(6)
    readonly property int rowGap: px(10)
    readonly property int dotGap: px(18)
    readonly property int tracking: px(2)          // letter spacing of upper-case labels
    readonly property int stripeTracking: px(3)
    readonly property int plateRadius: px(10)
    readonly property int qrRadius: px(12)
    readonly property int qrPadding: px(4)
    readonly property int tabPadH: px(28)
    readonly property int tabPadV: px(12)
    readonly property int stripeBorder: px(5)
    readonly property int stripeRadius: px(8)
    readonly property int accentBarWidth: px(14)
    readonly property int identifyBorder: px(24)
    readonly property int minimumFitSize: px(40)   // the least a fitted non-warning text shrinks to
    readonly property int welcomeSize: px(110)
    readonly property int welcomeHeight: px(130)
    readonly property int errorMargin: px(64)
    readonly property int errorSpacing: px(32)
    readonly property int errorTitleSize: px(72)
    readonly property int errorTextSize: px(36)
    readonly property int errorLineSize: px(30)
    readonly property int errorHintSize: px(28)
    readonly property color clear: "transparent"

    // -- Letter sizes ----------------------------------------------------------------------
    // Warnings are read standing, metres from the glass, so their letters are sized in
    // millimetres on the panel, not in pixels. The measured letter is the x-height (the
    // height of "x": DIN 1450 rates legibility by it, as lower-case running text is read by
    // it); it must be at least 1/250 of the reading distance (DIN 1450's rule of thumb for
    // text read in passing). Capitals are a third taller, so labels in capitals pass too.
    // The font's x-height is measured (both weights, the smaller counts), not assumed.

    // Set by Main: the window's diagonal in pixels over the panel's in millimetres.
    property real pixelsPerMm: 2202.9 / (55 * 25.4)
    readonly property real readingRatio: 250
    readonly property real farReadingMm: 5000   // headline and instruction
    readonly property real nearReadingMm: 3000  // every other warning text
    readonly property FontMetrics regularMetrics: FontMetrics {
        font.family: theme.fontFamily
        font.pixelSize: 1000
    }
    readonly property FontMetrics boldMetrics: FontMetrics {
        font.family: theme.fontFamily
        font.pixelSize: 1000
        font.bold: true
    }
    readonly property real xHeightRatio: Math.min(regularMetrics.xHeight, boldMetrics.xHeight) / 1000

    // The smallest pixel size whose x-height is legible from `distanceMm` (one pixel more:
    // the rasteriser may lose a row of a glyph to antialiasing).
    function legibleSize(distanceMm: real): int {
        return Math.ceil((distanceMm / readingRatio * pixelsPerMm + 1) / xHeightRatio)
    }
    readonly property int farSize: legibleSize(farReadingMm)
    readonly property int nearSize: legibleSize(nearReadingMm)
    // Line pitch over pixel size: room for "Ä" above and "g" below inside each line and a
    // little to spare, so a page of whole lines never clips a glyph (PagedText).
    readonly property real lineSpacing: 1.3

    // Warning text: the design size, or the legible one where that is larger (small panels).
    // Never smaller: text that does not fit is paged (PagedText), not shrunk.
    readonly property int headlineSize: Math.max(px(64), farSize)
    readonly property int instructionSize: Math.max(px(52), farSize)
    readonly property int descriptionSize: Math.max(px(40), nearSize)
    readonly property int metaSize: Math.max(px(34), nearSize)
    readonly property int labelSize: Math.max(px(30), nearSize)
    readonly property int severitySize: Math.max(px(44), nearSize)
    readonly property int eventSize: Math.max(px(44), nearSize)
    readonly property int bannerHeadlineSize: Math.max(px(56), farSize)
    readonly property int bannerTextSize: Math.max(px(44), farSize)
    readonly property int othersSize: Math.max(px(36), nearSize)
    readonly property int allClearTitleSize: Math.max(px(68), farSize)
    readonly property int allClearHeadlineSize: Math.max(px(60), farSize)
    readonly property int allClearTextSize: Math.max(px(44), nearSize)
    readonly property int pageMarkSize: labelSize
    readonly property int emergencyLabelSize: Math.max(px(30), nearSize)
    readonly property int emergencyNumberSize: Math.max(px(40), nearSize)
    // The fallback screen (nothing to play): read in passing from across the square.
    readonly property int fallbackCitySize: Math.max(px(76), farSize)
    readonly property int fallbackClockSize: Math.max(px(260), farSize)
    readonly property int fallbackDateSize: Math.max(px(56), nearSize)
    readonly property int fallbackLogoSize: px(220)

    // Everyday content (read from close by; not warnings)
    readonly property int clockSize: px(230)
    readonly property int dateSize: px(50)
    readonly property int citySize: px(54)
    readonly property int slideTitleSize: px(76)
    readonly property int slideBodySize: px(44)
    readonly property int slideSmallSize: px(34)
    readonly property int exerciseSize: px(44)
    readonly property int staleSize: px(34)
    readonly property int identifySize: px(200)

    // Element sizes
    readonly property int pictogramSize: px(190)
    readonly property int pictogramSmallSize: px(150)
    readonly property int bannerBadgeSize: px(130)
    readonly property int slideBadgeSize: px(130)
    readonly property int othersBadgeSize: Math.round(othersSize * 1.5)
    readonly property int qrSize: px(250)
    readonly property int qrSmallSize: px(200)
    readonly property int exerciseBandHeight: px(92)
    readonly property int bannerExerciseBandHeight: px(64)
    readonly property int staleHeight: px(72)
    readonly property int emergencyHeight: Math.round(emergencyNumberSize * 2.2)
    readonly property int edgeHeight: px(10)
    readonly property int ruleHeight: px(4)
    readonly property int tabBorder: px(3)
    readonly property int dotSize: px(20)
    readonly property int dotActiveWidth: px(56)
    // Share of the window a banner may take at most; below it the normal screen runs on.
    readonly property real bannerMaxShare: 0.45

    // -- City content (stele/ui/content.py, slides/*Slide.qml) ----------------------------
    // Content is read in passing like a warning's details: its running text is legible from
    // 3 m, its titles from 5 m; text that does not fit is paged (PagedText), never shrunk.
    readonly property int contentTitleSize: Math.max(px(68), farSize)
    readonly property int contentBodySize: Math.max(px(44), nearSize)
    readonly property int contentSmallSize: Math.max(px(34), nearSize)
    readonly property int weatherTemperatureSize: Math.max(px(150), farSize)
    readonly property int contentCaptionPad: px(20)
    readonly property int newsImageHeight: px(360)
    readonly property color letterbox: backgroundDeep   // around a picture shown whole
    // Under a title over a picture: the theme's deep background, a little see-through.
    readonly property color captionBand: Qt.rgba(backgroundDeep.r, backgroundDeep.g,
                                                 backgroundDeep.b, 0.8)
    readonly property color pdfPage: "#ffffff"          // behind a rendered PDF page

    // -- Timing -----------------------------------------------------------------------------
    // Writable so tests need not wait.
    property int languageSeconds: 8   // each language stays at least this long ...
    property int pageSeconds: 6       // ... each page at least this long ...
    property int wordsPerMinute: 120  // ... and long enough to read its words this slowly
    property int clockTickMs: 250
    property int fadeMs: 450
    property int tileCloseMs: 300000  // a tile opened large closes after 5 min untouched
    // Test-only speed-up (tests/bench/soak.py): content slides stay this share of their
    // duration. 1 on every stele; nothing but a test or bench process ever sets it.
    property real testOnlyTimeScale: 1.0
}
