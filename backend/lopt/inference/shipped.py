"""Checkpoints shipped inside the package, by name (see ``models/<name>/README.md``).

The model registry resolves these names to their folders; ``lopt.inference.embedded``
decides when to fall back to them.
"""

from __future__ import annotations

from pathlib import Path

EMBEDDED_IMAGE_MODEL = "lopt-faces-v2"
WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"


def embedded_path(name: str) -> Path | None:
    """The folder of an embedded checkpoint called ``name``, if there is one."""
    folder = WEIGHTS_DIR / name
    return folder if name == EMBEDDED_IMAGE_MODEL and (folder / "config.json").exists() else None
