"""Link per-frame face boxes into tracks, one per person.

Frames sampled from a video may be far apart in time, so a face can move further than
its own width between two samples. Boxes are therefore matched by overlap (IoU) first
and, where nothing overlaps, by how far their centres moved measured in face sizes.
Matching is greedy: the best pairs are taken first, each track and box used once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from lopt.media.faces import FaceBox

# A face whose box is more than twice or less than half the size of the track's last box
# is another person (or a much later moment), even if its centre is close.
_MAX_SIZE_RATIO = 2.0


@dataclass
class Track:
    """One person's face through the frames: ``(frame_position, box)`` in frame order.

    ``frame_position`` is the index into the sequence given to ``link_tracks``, not a
    frame number of the video; map it back with the list of sampled frame indices.
    """

    track_id: int
    detections: list[tuple[int, FaceBox]] = field(default_factory=list)

    @property
    def last_position(self) -> int:
        return self.detections[-1][0]

    @property
    def last_box(self) -> FaceBox:
        return self.detections[-1][1]

    @property
    def positions(self) -> list[int]:
        return [position for position, _ in self.detections]

    @property
    def boxes(self) -> list[FaceBox]:
        return [box for _, box in self.detections]


def link_tracks(
    frames: Sequence[Sequence[FaceBox]],
    iou_threshold: float = 0.3,
    max_gap: int = 3,
    max_centre_distance: float = 1.0,
) -> list[Track]:
    """Link the boxes of consecutive sampled frames into tracks, ordered by first appearance.

    A box joins the track whose last box overlaps it by at least ``iou_threshold``; if
    none does, the track whose last box centre is within ``max_centre_distance`` face
    sizes (the larger box's longer side) and of a similar size. A track survives up to
    ``max_gap`` frames without a detection (missed detections, a turned head); after
    that the same person starts a new track.
    """
    if max_gap < 0:
        raise ValueError("max_gap must be zero or more")
    tracks: list[Track] = []
    for position, boxes in enumerate(frames):
        live = [track for track in tracks if position - track.last_position - 1 <= max_gap]
        matches = _match(live, boxes, iou_threshold, max_centre_distance)
        for track_index, box_index in matches:
            live[track_index].detections.append((position, boxes[box_index]))
        matched = {box_index for _, box_index in matches}
        for box_index, box in enumerate(boxes):
            if box_index not in matched:
                tracks.append(Track(track_id=len(tracks), detections=[(position, box)]))
    return tracks


def box_iou(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes; 0 when they do not touch."""
    inter_w = min(a.x2, b.x2) - max(a.x1, b.x1)
    inter_h = min(a.y2, b.y2) - max(a.y1, b.y1)
    if inter_w <= 0 or inter_h <= 0:
        return 0.0
    inter = inter_w * inter_h
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union > 0 else 0.0


def centre_distance(a: FaceBox, b: FaceBox) -> float:
    """Distance between box centres in units of the larger box's longer side."""
    (ax, ay), (bx, by) = a.centre, b.centre
    scale = max(a.size, b.size)
    return math.hypot(ax - bx, ay - by) / scale if scale > 0 else math.inf


def _match(
    tracks: Sequence[Track],
    boxes: Sequence[FaceBox],
    iou_threshold: float,
    max_centre_distance: float,
) -> list[tuple[int, int]]:
    """Greedy one-to-one ``(track index, box index)`` pairs: overlaps first, then nearness."""
    by_overlap: list[tuple[float, int, int]] = []
    by_distance: list[tuple[float, int, int]] = []
    for track_index, track in enumerate(tracks):
        last = track.last_box
        for box_index, box in enumerate(boxes):
            iou = box_iou(last, box)
            if iou >= iou_threshold:
                by_overlap.append((-iou, track_index, box_index))
            elif _similar_size(last, box):
                distance = centre_distance(last, box)
                if distance <= max_centre_distance:
                    by_distance.append((distance, track_index, box_index))
    pairs: list[tuple[int, int]] = []
    used_tracks: set[int] = set()
    used_boxes: set[int] = set()
    for _, track_index, box_index in [*sorted(by_overlap), *sorted(by_distance)]:
        if track_index in used_tracks or box_index in used_boxes:
            continue
        pairs.append((track_index, box_index))
        used_tracks.add(track_index)
        used_boxes.add(box_index)
    return pairs


def _similar_size(a: FaceBox, b: FaceBox) -> bool:
    small, large = sorted((a.size, b.size))
    return small > 0 and large / small <= _MAX_SIZE_RATIO
