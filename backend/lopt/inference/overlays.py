"""Heatmaps drawn over the file they explain, as images a person can look at
(``lopt predict --explain DIR``): a photo with each face's map, a video's frames that
have one. The web page draws the same maps itself, from the response."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from lopt.inference.results import Heatmap, Prediction
from lopt.media.images import load_image
from lopt.media.video import read_frames

DATA_URL = re.compile(r"^data:image/png;base64,(.+)$")


def write_overlays(
    path: Path, prediction: Prediction, folder: Path, *, max_pixels: int, frame_side: int
) -> list[Path]:
    """Write the file's heatmap overlays into ``folder`` (created); return their paths.
    A photo gives ``NAME.heatmap.png``; a video one ``NAME.frame-INDEX.heatmap.png`` per
    frame with a map. Maps that are not localised are not drawn."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(prediction.filename or path.name).name
    written = []
    if prediction.type == "image":
        maps = [face.heatmap for face in prediction.faces or []]
        maps.append(prediction.heatmap)
        drawn = [m for m in maps if m is not None and m.image]
        if drawn:
            image = load_image(path, max_pixels=max_pixels).image.convert("RGB")
            target = folder / f"{stem}.heatmap.png"
            overlay(image, drawn, scale=1.0).save(target)
            written.append(target)
        return written
    by_frame: dict[int, list[Heatmap]] = {}
    for track in prediction.tracks or []:
        for face in track.frames:
            if face.heatmap is not None and face.heatmap.image:
                by_frame.setdefault(face.frame_index, []).append(face.heatmap)
    if not by_frame:
        return written
    width = prediction.media.width
    for frame in read_frames(path, sorted(by_frame), max_side=frame_side):
        picture = Image.fromarray(frame.image)
        scale = picture.width / width if width else 1.0
        target = folder / f"{stem}.frame-{frame.index}.heatmap.png"
        overlay(picture, by_frame.get(frame.index, []), scale=scale).save(target)
        written.append(target)
    return written


def overlay(image: Image.Image, maps: Iterable[Heatmap], *, scale: float) -> Image.Image:
    """``image`` with each map stretched over its box (``scale``: image pixels per box
    pixel), at the map's own opacity."""
    canvas = image.convert("RGBA")
    for heatmap in maps:
        layer = decode_png(heatmap.image or "")
        if layer is None:
            continue
        box = heatmap.box
        x1, y1 = round(box.x1 * scale), round(box.y1 * scale)
        x2, y2 = round(box.x2 * scale), round(box.y2 * scale)
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue
        stretched = layer.resize((x2 - x1, y2 - y1), Image.Resampling.BILINEAR)
        sheet = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
        sheet.paste(stretched, (x1, y1))
        canvas = Image.alpha_composite(canvas, sheet)
    return canvas.convert("RGB")


def decode_png(url: str) -> Image.Image | None:
    match = DATA_URL.match(url)
    if match is None:
        return None
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    return image.convert("RGBA")
