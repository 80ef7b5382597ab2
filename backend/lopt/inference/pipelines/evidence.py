"""Named pieces of evidence, each made by one small function, and how a verdict combines them.

A pipeline scores its inputs, turns the scores into blocks of evidence (faces, person
tracks, clips, whole frames) with the functions here, and takes its overall fake
probability from ``combine``. A new kind of evidence adds a function and a block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lopt.config_media import Aggregation
from lopt.inference.aggregation import aggregate
from lopt.inference.calibration import Level
from lopt.inference.detectors import Detector, Scores
from lopt.inference.heatmaps import FaceMaps
from lopt.inference.model_info import Bands
from lopt.inference.results import (
    Box,
    ClipScore,
    FaceScore,
    FrameFace,
    FrameScore,
    Status,
    TrackScore,
)
from lopt.media.faces import FaceBox, square_crop_box
from lopt.media.tracking import Track

NO_FACE_NOTE = (
    "No face was found. This detector judges faces only, so it cannot say whether this "
    "file is real: the score of {what} is shown for reference, not as a verdict."
)
SMALL_FACES_NOTE = (
    "Faces were found but all are smaller than {size} px (LOPT_MIN_FACE_SIZE), too small to "
    "judge. This detector judges faces only, so the score of {what} is shown for reference, "
    "not as a verdict."
)
FACES_OFF_NOTE = (
    "Face analysis is off (LOPT_FACE_ANALYSIS=false) but this detector judges face crops: "
    "the score of {what} is shown for reference, not as a verdict. Set "
    "LOPT_IMAGE_MODEL_INPUT=whole_image if the model was trained on whole images."
)
NOT_APPLICABLE_REASONS = {
    "no_face": "No face was found, and this detector judges faces only.",
    "faces_too_small": "Every face is too small to judge, and this detector judges faces only.",
    "face_analysis_off": "Face analysis is off, and this detector judges faces only.",
}

NOTHING_TO_EXPLAIN = "No face was judged, so there is no heatmap to draw."

FaceRef = tuple[int, int]  # (track id, position of the sampled frame)


@dataclass(frozen=True)
class SampledAt:
    """Where a sampled video frame lies in the video."""

    frame_index: int
    time_s: float


def scale_box(box: FaceBox, scale: float) -> FaceBox:
    if scale == 1:
        return box
    return FaceBox(box.x1 * scale, box.y1 * scale, box.x2 * scale, box.y2 * scale, box.score)


def crop_box(box: FaceBox, margin: float, shape: tuple[int, ...], scale: float) -> Box:
    """The square a face was cropped with (``square_crop_box`` in an image of ``shape``),
    in the file's pixels (``scale``: file pixels per pixel of that image)."""
    x1, y1, x2, y2 = square_crop_box(box, margin, int(shape[1]), int(shape[0]))
    return to_box(FaceBox(x1 * scale, y1 * scale, x2 * scale, y2 * scale, box.score))


def to_box(box: FaceBox) -> Box:
    return Box(x1=round(box.x1, 1), y1=round(box.y1, 1), x2=round(box.x2, 1), y2=round(box.y2, 1))


Evidence = Mapping[str, tuple[Detector, float]]  # name -> (the model that scored, raw score)


def combine(evidence: Evidence) -> tuple[str, Detector, Scores]:
    """The verdict's rule, the model behind it and its scores: the most suspicious piece
    of evidence on the calibrated scale (each model its own map), so a file is
    manipulated when any face, person or clip is."""
    if not evidence:
        raise ValueError("a verdict needs at least one piece of evidence")
    rule = f"max({', '.join(evidence)})" if len(evidence) > 1 else next(iter(evidence))
    detector, raw = max(evidence.values(), key=lambda pair: pair[0].calibrate(pair[1]))
    return rule, detector, detector.decide(raw)


def explain_verdict(scores: Scores, bands: Bands, status: Status) -> tuple[Level, str]:
    """The file's level and one plain line saying why (``status`` other than ok: a face
    model had no face to judge, so it cannot say)."""
    if status != "ok":
        return "not_applicable", NOT_APPLICABLE_REASONS[status] + " It cannot say."
    p, low, high = _percents(scores.fake_probability, bands.authentic_below, bands.manipulated_at)
    what = "fake probability" if scores.calibrated else "raw score (not calibrated)"
    if scores.verdict == "manipulated":
        return "manipulated", (
            f"The model's {what}, {p}, is at or above {high}, where it calls a file manipulated."
        )
    if scores.verdict == "authentic":
        return "authentic", (
            f"The model's {what}, {p}, is below {low}: it finds no sign of manipulation."
        )
    return "suspicious", (
        f"The model's {what}, {p}, lies between {low} and {high}: it cannot tell reliably. "
        "Have a person look."
    )


def _percents(p: float, *edges: float) -> list[str]:
    """Percentages of ``p`` and the edges, with as many decimals as it takes for ``p`` not
    to read the same as an edge it does not equal (0.7996 against 0.8: 79.96%, 80.00%)."""
    for decimals in range(3):
        texts = [f"{value:.{decimals}%}" for value in (p, *edges)]
        if all(texts[0] != text for text, edge in zip(texts[1:], edges, strict=True) if edge != p):
            return texts
    return texts


def face_scores(
    detector: Detector, boxes: Sequence[FaceBox], judged: Sequence[bool], fakes: Sequence[float]
) -> list[FaceScore]:
    """Every face found in a photo; the judged ones take their scores from ``fakes`` in order."""
    scores = iter(fakes)
    faces = []
    for box, ok in zip(boxes, judged, strict=True):
        face = FaceScore(box=to_box(box), detector_score=round(box.score, 4), judged=ok)
        if ok:
            verdict = detector.decide(next(scores))
            face.label, face.confidence = verdict.label, verdict.confidence
            face.fake_probability = verdict.fake_probability
            face.raw_fake_probability = verdict.raw_fake_probability
            face.verdict = verdict.verdict
        faces.append(face)
    return faces


def face_heatmaps(faces: Sequence[FaceScore], blocks: Sequence[FaceMaps]) -> None:
    """The judged faces' heatmaps, in the order their crops were judged."""
    maps = iter(blocks)
    for face in faces:
        if face.judged:
            block = next(maps)
            face.heatmap, face.attention_map = block.heatmap, block.attention_map


def face_status(
    found_faces: bool, judged_faces: bool, min_face_size: int, what: str, *, analysed: bool = True
) -> tuple[Status, str | None]:
    """Whether faces were judged, and what the reader must know when none was
    (``analysed``: whether faces were looked for at all)."""
    if not analysed:
        return "face_analysis_off", FACES_OFF_NOTE.format(what=what)
    if judged_faces:
        return "ok", None
    if found_faces:
        return "faces_too_small", SMALL_FACES_NOTE.format(size=min_face_size, what=what)
    return "no_face", NO_FACE_NOTE.format(what=what)


def track_scores(
    detector: Detector,
    tracks: Sequence[Track],
    judged: set[int],
    by_face: Mapping[FaceRef, float],
    sampled: Sequence[SampledAt],
    scale: float,
    aggregation: Aggregation,
) -> list[TrackScore]:
    """One block per person: their face in each sampled frame, and their combined score."""
    return [
        _track_score(
            detector, track, track.track_id in judged, by_face, sampled, scale, aggregation
        )
        for track in tracks
    ]


def _track_score(
    detector: Detector,
    track: Track,
    judged: bool,
    by_face: Mapping[FaceRef, float],
    sampled: Sequence[SampledAt],
    scale: float,
    aggregation: Aggregation,
) -> TrackScore:
    frames = []
    for position, box in track.detections:
        fake = by_face.get((track.track_id, position))
        frames.append(
            FrameFace(
                frame_index=sampled[position].frame_index,
                time_s=sampled[position].time_s,
                box=to_box(scale_box(box, scale)),
                fake_probability=None if fake is None else round(detector.calibrate(fake), 4),
            )
        )
    score = TrackScore(track_id=track.track_id, judged=judged, frames=frames)
    if judged:
        # Unrounded scores: the verdict must not flip on display rounding.
        fakes = [by_face[(track.track_id, position)] for position, _ in track.detections]
        verdict = detector.decide(aggregate(fakes, aggregation))
        score.label, score.confidence = verdict.label, verdict.confidence
        score.fake_probability = verdict.fake_probability
        score.raw_fake_probability = verdict.raw_fake_probability
        score.verdict = verdict.verdict
    return score


def most_suspicious_frames(by_face: Mapping[FaceRef, float], per_person: int) -> list[FaceRef]:
    """Each person's ``per_person`` highest-scoring faces (the frames worth a heatmap)."""
    by_person: dict[int, list[tuple[float, FaceRef]]] = {}
    for ref, fake in by_face.items():
        by_person.setdefault(ref[0], []).append((fake, ref))
    chosen = []
    for scored in by_person.values():
        scored.sort(key=lambda pair: (-pair[0], pair[1][1]))
        chosen += [ref for _, ref in scored[:per_person]]
    return sorted(chosen)


def track_heatmaps(
    tracks: Sequence[TrackScore],
    blocks: Mapping[FaceRef, FaceMaps],
    sampled: Sequence[SampledAt],
) -> None:
    """Put each frame's heatmaps on that person's face in that frame."""
    for track in tracks:
        for face in track.frames:
            for (track_id, position), block in blocks.items():
                if track_id == track.track_id and sampled[position].frame_index == face.frame_index:
                    face.heatmap, face.attention_map = block.heatmap, block.attention_map


def most_suspicious_face_per_frame(by_face: Mapping[FaceRef, float]) -> list[float]:
    """Each sampled frame's highest judged-face fake probability, in frame order."""
    per_frame: dict[int, float] = {}
    for (_, position), fake in by_face.items():
        per_frame[position] = max(per_frame.get(position, 0.0), fake)
    return [per_frame[position] for position in sorted(per_frame)]


def person_evidence(
    detector: Detector,
    tracks: Sequence[TrackScore],
    by_face: Mapping[FaceRef, float],
    face_rule: str,
    aggregation: Aggregation,
) -> dict[str, tuple[Detector, float]]:
    """The faces' share of a video's verdict, by ``LOPT_VIDEO_FACE_RULE``: the most
    suspicious person, or the most suspicious face of each frame combined over frames."""
    judged = {t.track_id for t in tracks if t.judged}
    if not judged:
        return {}
    # Unrounded scores: the verdict must not flip on display rounding.
    persons = [
        aggregate([fake for (track, _), fake in by_face.items() if track == track_id], aggregation)
        for track_id in judged
    ]
    if face_rule == "per_frame":
        frames = most_suspicious_face_per_frame(by_face)
        return {"most_suspicious_face_per_frame": (detector, aggregate(frames, aggregation))}
    return {"most_suspicious_person": (detector, max(persons))}


def clip_scores(
    detector: Detector,
    clip_positions: Sequence[Sequence[int]],
    fakes: Sequence[float],
    sampled: Sequence[SampledAt],
    fps: float,
) -> list[ClipScore]:
    """One block per clip the video checkpoint judged, with the time it covers."""
    clips = []
    for index, (positions, fake) in enumerate(zip(clip_positions, fakes, strict=True)):
        verdict = detector.decide(fake)
        clips.append(
            ClipScore(
                index=index,
                start_s=sampled[positions[0]].time_s,
                end_s=round(sampled[positions[-1]].time_s + 1.0 / fps, 3),
                frame_indices=[sampled[p].frame_index for p in positions],
                label=verdict.label,
                fake_probability=verdict.fake_probability,
                raw_fake_probability=verdict.raw_fake_probability,
                verdict=verdict.verdict,
            )
        )
    return clips


def frame_scores(
    detector: Detector, sampled: Sequence[SampledAt], fakes: Sequence[float]
) -> list[FrameScore]:
    """Whole-frame scores of the image detector, one per sampled frame."""
    return [
        FrameScore(
            frame_index=at.frame_index,
            time_s=at.time_s,
            fake_probability=round(detector.calibrate(f), 4),
        )
        for at, f in zip(sampled, fakes, strict=True)
    ]


def frames_without_face(sampled: Sequence[SampledAt], tracks: Sequence[Track]) -> list[int]:
    """Indices of the sampled frames in which no face was found."""
    seen = {position for track in tracks for position, _ in track.detections}
    return sorted({at.frame_index for p, at in enumerate(sampled) if p not in seen})
