"""Offline tools that need both inference and training (export)."""
