"""Kaigo Desktop: local records and reports for Tokyo's 通いの場 and 介護予防・フレイル予防推進員."""

__version__ = "0.1.0"
APP_NAME = "Kaigo Desktop"
