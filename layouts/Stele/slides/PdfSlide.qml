import QtQuick
import Stele

// One page of a PDF: the PNG rendered once into the cache at sync time (stele/ui/pdf_raster.py),
// shown whole on the page's white.
ImageSlide {
    backdrop: Theme.pdfPage
}
