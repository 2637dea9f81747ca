import QtQuick
import QtQuick.Shapes
import Stele

// Pictogram for a CAP category, drawn as vector paths in a 100x100 box so it is crisp at
// any size and needs no image file. `knockout` paints details in the badge colour.
Item {
    id: pictogram

    property string category: "Other"
    property color color: Theme.extreme
    property color knockout: Theme.badge

    // Each entry: fill (odd-even, so inner contours are holes), stroke, knockout fill/stroke.
    readonly property var shapes: ({
        "Met": {
            "fill": "M24 58 A14 14 0 0 1 20 31 A20 20 0 0 1 57 20 A17 17 0 0 1 82 34 "
                    + "A12 12 0 0 1 78 58 Z M52 62 L36 84 L48 84 L42 99 L66 74 L53 74 L60 62 Z"
        },
        "Geo": {
            "stroke": "M4 52 L22 52 L30 34 L40 76 L50 16 L60 88 L68 38 L76 62 L82 52 L96 52"
        },
        "Safety": {
            "fill": "M50 6 L97 90 L3 90 Z M44 34 L56 34 L54 66 L46 66 Z "
                    + "M44 77 A6 6 0 1 0 56 77 A6 6 0 1 0 44 77 Z"
        },
        "Security": {
            "fill": "M50 4 L88 17 L88 46 C88 70 72 86 50 97 C28 86 12 70 12 46 L12 17 Z "
                    + "M50 26 A12 12 0 0 1 57 48 L61 70 L39 70 L43 48 A12 12 0 0 1 50 26 Z"
        },
        "Rescue": {
            "fill": "M6 50 A44 44 0 1 0 94 50 A44 44 0 1 0 6 50 Z "
                    + "M28 50 A22 22 0 1 0 72 50 A22 22 0 1 0 28 50 Z",
            "knockStroke": "M50 4 L50 29 M50 71 L50 96 M4 50 L29 50 M71 50 L96 50"
        },
        "Fire": {
            "fill": "M50 97 C27 97 15 80 19 62 C23 46 36 38 36 18 C49 27 55 39 53 52 "
                    + "C59 48 63 40 62 31 C77 43 85 60 81 75 C77 89 65 97 50 97 Z "
                    + "M50 90 C41 90 36 83 38 75 C40 67 46 63 48 55 C55 61 60 68 60 77 "
                    + "C60 85 56 90 50 90 Z"
        },
        "Health": {
            "fill": "M37 8 L63 8 L63 37 L92 37 L92 63 L63 63 L63 92 L37 92 L37 63 L8 63 "
                    + "L8 37 L37 37 Z"
        },
        "Env": {
            "fill": "M16 86 C12 42 42 12 92 8 C92 58 62 88 16 86 Z",
            "knockStroke": "M22 80 C38 60 54 44 76 26"
        },
        "Transport": {
            "fill": "M20 12 Q20 4 28 4 L72 4 Q80 4 80 12 L80 82 L20 82 Z "
                    + "M27 14 L73 14 L73 48 L27 48 Z M27 66 A6 6 0 1 0 39 66 A6 6 0 1 0 27 66 Z "
                    + "M61 66 A6 6 0 1 0 73 66 A6 6 0 1 0 61 66 Z "
                    + "M22 82 L38 82 L38 96 L22 96 Z M62 82 L78 82 L78 96 L62 96 Z"
        },
        "Infra": {
            "fill": "M28 38 L72 38 L72 58 C72 71 64 78 57 80 L57 97 L43 97 L43 80 "
                    + "C36 78 28 71 28 58 Z M36 6 L46 6 L46 38 L36 38 Z M54 6 L64 6 L64 38 L54 38 Z"
        },
        "CBRNE": {
            "fill": "M57 62.12 L71 86.37 A42 42 0 0 1 29 86.37 L43 62.12 A14 14 0 0 0 57 62.12 Z "
                    + "M36 50 L8 50 A42 42 0 0 1 29 13.63 L43 37.88 A14 14 0 0 0 36 50 Z "
                    + "M57 37.88 L71 13.63 A42 42 0 0 1 92 50 L64 50 A14 14 0 0 0 57 37.88 Z "
                    + "M42 50 A8 8 0 1 0 58 50 A8 8 0 1 0 42 50 Z"
        },
        "Other": {
            "fill": "M6 50 A44 44 0 1 0 94 50 A44 44 0 1 0 6 50 Z M44 20 L56 20 L54 62 L46 62 Z "
                    + "M43 76 A7 7 0 1 0 57 76 A7 7 0 1 0 43 76 Z"
        },
        "AllClear": {
            "stroke": "M18 52 L40 74 L84 28"
        }
    })
    readonly property var current: shapes[category] !== undefined ? shapes[category]
                                                                      : shapes["Other"]

    implicitWidth: Theme.pictogramSize
    implicitHeight: Theme.pictogramSize

    Shape {
        width: 100
        height: 100
        preferredRendererType: Shape.CurveRenderer
        transform: Scale {
            xScale: pictogram.width / 100
            yScale: pictogram.height / 100
        }

        ShapePath {
            strokeColor: Theme.clear
            fillColor: pictogram.color
            fillRule: ShapePath.OddEvenFill
            PathSvg { path: pictogram.current.fill !== undefined ? pictogram.current.fill : "" }
        }
        ShapePath {
            strokeColor: pictogram.color
            strokeWidth: 9
            fillColor: Theme.clear
            capStyle: ShapePath.RoundCap
            joinStyle: ShapePath.RoundJoin
            PathSvg { path: pictogram.current.stroke !== undefined ? pictogram.current.stroke : "" }
        }
        ShapePath {
            strokeColor: pictogram.knockout
            strokeWidth: 7
            fillColor: Theme.clear
            capStyle: ShapePath.FlatCap
            PathSvg {
                path: pictogram.current.knockStroke !== undefined ? pictogram.current.knockStroke
                                                                   : ""
            }
        }
    }
}
