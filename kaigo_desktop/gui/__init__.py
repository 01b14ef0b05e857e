"""The Qt GUI (PySide6). Only this package imports Qt."""
