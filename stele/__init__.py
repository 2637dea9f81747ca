"""stele: kiosk OS for city information steles."""

__version__ = "0.1.0"
