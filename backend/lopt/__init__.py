"""Lopt: open-source deepfake detection for photos and videos."""

__version__ = "0.1.0"
