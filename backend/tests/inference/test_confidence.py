"""A verdict's confidence: never below one half, whatever the checkpoint's threshold."""

from __future__ import annotations

import asyncio

import pytest

from lopt.config import Settings
from lopt.inference.detectors import verdict_confidence
from lopt.inference.service import DetectionService
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import MEDIA, needs_media


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.49, 0.5, 0.7, 0.99, 1.0])
def test_with_threshold_one_half_it_is_the_labels_probability(p: float) -> None:
    assert verdict_confidence(p, 0.5) == pytest.approx(max(p, 1 - p))


@pytest.mark.parametrize(
    ("p", "threshold", "expected"),
    [
        (0.70, 0.789, 0.5 + 0.5 * 0.089 / 0.789),  # Real, just below a high threshold
        (0.789, 0.789, 0.5),  # at the threshold: a coin toss
        (0.0, 0.789, 1.0),
        (1.0, 0.789, 1.0),
        (0.9, 0.2, 0.5 + 0.5 * 0.7 / 0.8),  # Fake above a low threshold
        (0.1, 0.2, 0.75),
    ],
)
def test_with_another_threshold_it_rises_from_one_half_on_each_side(
    p: float, threshold: float, expected: float
) -> None:
    assert verdict_confidence(p, threshold) == pytest.approx(expected)


def test_it_grows_monotonically_away_from_the_threshold() -> None:
    below = [verdict_confidence(p / 100, 0.789) for p in range(0, 79)]
    above = [verdict_confidence(p / 100, 0.789) for p in range(79, 101)]
    assert below == sorted(below, reverse=True) and above == sorted(above)
    assert min(below + above) >= 0.5 and max(below + above) <= 1.0


@needs_media
def test_the_embedded_detectors_verdicts_never_read_below_one_half() -> None:
    """Its threshold is not 0.5 (chosen on validation): every verdict, face and person on
    real media still reads at least 50% sure of its own label (lopt-faces-lite0 once
    called the real crowd video "Real, 32%")."""
    service = DetectionService.load(Settings(image_model=EMBEDDED_IMAGE_MODEL, video_model="none"))
    threshold = service.image.threshold
    assert abs(threshold - 0.5) > 0.01

    async def judge() -> list:  # type: ignore[type-arg]
        await service.start()
        try:
            names = ["multiperson_real_1080p.mp4", "facenet_multiface.jpg"]
            return [await service.analyse(MEDIA / name) for name in names]
        finally:
            await service.stop()

    video, photo = asyncio.run(judge())
    assert video.label == ("Fake" if video.fake_probability >= threshold else "Real")
    people = [track for track in video.tracks or [] if track.judged]
    faces = [face for face in photo.faces or [] if face.judged]
    assert people and len(faces) == 6
    for item in [video, photo, *people, *faces]:
        assert item.confidence is not None and 0.5 <= item.confidence <= 1
        assert item.label == ("Fake" if item.fake_probability >= threshold else "Real")
