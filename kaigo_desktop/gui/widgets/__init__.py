"""Widgets shared by the screens: 和暦 dates, IME-safe Enter navigation, inline validation messages."""
