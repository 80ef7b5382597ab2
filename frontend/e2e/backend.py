"""Start the real Lopt backend for the browser tests, with no network.

Uses the embedded detector when its weights are installed, else a tiny random ViT built
like the Python tests build theirs. Also writes the generated test video (WebM, which
Chromium plays) from a real photo, panning across it so faces move between frames.
Jobs run on the embedded Celery worker inside `lopt serve`, with a jobs folder of this
backend's own next to the video (removed with it), so no two backends share one.
Run from the repository root: ``.venv/bin/python frontend/e2e/backend.py PORT VIDEO``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import av
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))  # the test helpers live in backend/tests

from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL, WEIGHTS_DIR  # noqa: E402
from tests.helpers import build_image_model, shared_data  # noqa: E402


def image_model() -> str:
    if (WEIGHTS_DIR / EMBEDDED_IMAGE_MODEL / "config.json").is_file():
        return EMBEDDED_IMAGE_MODEL
    folder = Path(tempfile.mkdtemp(prefix="lopt-e2e-")) / "tiny-vit"
    return str(build_image_model(folder, "vit"))


def write_panning_video(path: Path, seconds: float = 3.0, fps: int = 10) -> None:
    photo = Image.open(shared_data() / "media" / "facenet_multiface.jpg").convert("RGB")
    photo.thumbnail((900, 900))
    width, height = 480, 320
    steps = int(seconds * fps)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(steps):
            left = round((photo.width - width) * index / max(1, steps - 1))
            frame = np.asarray(photo.crop((left, 0, left + width, height)))
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def main() -> None:
    port, video = sys.argv[1], Path(sys.argv[2])
    write_panning_video(video)
    os.environ.update(
        LOPT_IMAGE_MODEL=image_model(),
        LOPT_VIDEO_MODEL="none",
        LOPT_VIDEO_FRAMES="8",
        LOPT_MAX_UPLOAD_BYTES=os.environ.get("LOPT_MAX_UPLOAD_BYTES", "5000000"),
        LOPT_JOBS_WORKER="true",
        LOPT_JOBS_DIR=str(video.parent / "jobs"),
        HF_HUB_OFFLINE="1",
    )
    lopt = Path(sys.executable).parent / "lopt"
    os.execv(lopt, [str(lopt), "--log-level", "warning", "serve", "--port", port])


if __name__ == "__main__":
    main()
