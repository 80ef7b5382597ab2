"""Video-codec degradation for training crops: a real encode and decode through PyAV.

Face swaps are judged on compressed video frames, whose artefacts JPEG does not make:
4:2:0 chroma, deblocked 4x4-16x16 transform blocks, and motion-compensated prediction
from the frame before. ``codec_roundtrip`` encodes two frames — a copy shifted by a
pixel or two, then the image — with H.264 (libx264) or VP9 (libvpx) at a given quality,
decodes them, and returns the second: a predicted frame, as most video frames are.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

import albumentations as A
import av
import cv2
import numpy as np

Codec = Literal["h264", "vp9"]
ENCODERS = {"h264": "libx264", "vp9": "libvpx-vp9"}
DECODERS = {"h264": "h264", "vp9": "libvpx-vp9"}
# crf ranges from near-transparent to heavy (FaceForensics++ c40 is H.264 at crf 40).
QUALITY = {"h264": (18, 44), "vp9": (24, 60)}


def codec_roundtrip(
    image: np.ndarray, codec: Codec, crf: int, shift: tuple[float, float] = (1.0, 0.5)
) -> np.ndarray:
    """``image`` (RGB uint8) after an encode and decode as the second frame of a clip."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image, got {image.dtype} {image.shape}")
    height, width = image.shape[:2]
    # 4:2:0 needs even sides: pad by one pixel where needed, cut it off after.
    padded = cv2.copyMakeBorder(image, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE)
    h, w = padded.shape[:2]
    encoder: Any = av.CodecContext.create(ENCODERS[codec], "w")
    encoder.width, encoder.height, encoder.pix_fmt = w, h, "yuv420p"
    encoder.time_base, encoder.framerate = Fraction(1, 25), Fraction(25)
    if codec == "h264":
        encoder.options = {"crf": str(crf), "preset": "veryfast", "tune": "zerolatency"}
    else:
        encoder.options = {
            "crf": str(crf),
            "b": "0",
            "deadline": "realtime",
            "cpu-used": "8",
            "lag-in-frames": "0",
        }
    matrix = np.array([[1, 0, shift[0]], [0, 1, shift[1]]], dtype=np.float32)
    previous = cv2.warpAffine(padded, matrix, (w, h), borderMode=cv2.BORDER_REFLECT_101)
    packets = []
    for pts, picture in enumerate((previous, padded)):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture), format="rgb24")
        frame.pts = pts
        packets += encoder.encode(frame)
    packets += encoder.encode(None)
    decoder: Any = av.CodecContext.create(DECODERS[codec], "r")
    frames = []
    for packet in packets:
        frames += decoder.decode(packet)
    frames += decoder.decode(None)
    if not frames:
        return image
    out: np.ndarray = frames[-1].to_ndarray(format="rgb24")
    return np.ascontiguousarray(out[:height, :width])


class VideoCodec(A.ImageOnlyTransform):  # type: ignore[misc]
    """Albumentations transform: ``codec_roundtrip`` with a random codec, crf and motion."""

    def __init__(self, codecs: tuple[Codec, ...] = ("h264", "vp9"), p: float = 0.5) -> None:
        super().__init__(p=p)
        self.codecs = codecs

    def get_params(self) -> dict[str, Any]:
        codec = self.codecs[self.py_random.randrange(len(self.codecs))]
        low, high = QUALITY[codec]
        shift = (self.py_random.uniform(-2, 2), self.py_random.uniform(-2, 2))
        return {"codec": codec, "crf": self.py_random.randint(low, high), "shift": shift}

    def apply(
        self, img: np.ndarray, codec: Codec, crf: int, shift: tuple[float, float], **_: Any
    ) -> np.ndarray:
        return codec_roundtrip(img, codec, crf, shift)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("codecs",)
