"""A map as a small transparent PNG, and whether it points anywhere in particular.

A map is scaled to its own maximum for drawing, so any map would look like a hot spot;
``concentration`` says whether it is one: the share of the map's mass held by its
hottest 15% of pixels (0.15 for a flat map, near 1 for a single spot). Below a set share,
or with no positive evidence at all, a map is reported as not localised and not drawn.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

HOTTEST = 0.15  # the share of pixels whose mass ``concentration`` measures
# Inferno-like colours from cold to hot; cold is also transparent, so the photo shows through.
_STOPS = np.array(
    [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=np.float32
)


def upsample(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """A coarse map resized smoothly (bilinear) to ``height x width``, float32."""
    image = Image.fromarray(np.asarray(grid, dtype=np.float32), mode="F")
    return np.asarray(image.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)


def concentration(heat: np.ndarray) -> float:
    """Share of the map's (non-negative) mass in its hottest ``HOTTEST`` of pixels; 0 when
    the map holds no positive evidence."""
    values = np.sort(np.clip(np.asarray(heat, dtype=np.float64).ravel(), 0, None))[::-1]
    total = values.sum()
    if total <= 0 or not np.isfinite(total):
        return 0.0
    top = max(1, round(HOTTEST * values.size))
    return float(values[:top].sum() / total)


def render_png(heat: np.ndarray) -> str:
    """The map (any size, non-negative) as an RGBA PNG data URL: colour and opacity both
    rise with the evidence, scaled to the map's maximum."""
    values = np.clip(np.asarray(heat, dtype=np.float32), 0, None)
    peak = float(values.max()) if values.size else 0.0
    level = values / peak if peak > 0 else values
    position = level * (len(_STOPS) - 1)
    low = np.clip(np.floor(position).astype(np.int64), 0, len(_STOPS) - 2)
    frac = (position - low)[..., None]
    rgb = _STOPS[low] * (1 - frac) + _STOPS[low + 1] * frac
    alpha = (255 * level)[..., None]  # cold stays clear: no tint where there is no evidence
    rgba = np.concatenate([rgb, alpha], axis=-1).round().clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
