"""Compare video aggregation rules on the per-face frame scores ``lopt evaluate`` saved.

    python models/lopt-faces-v2/compare_video_rules.py REPORTS/evaluate-videos-val \\
        REPORTS/evaluate-videos-test > REPORTS/video-rules.json

Each video's judged people and their per-frame face scores come from the first folder's
``predictions.jsonl`` (and the others'). For every face rule (``per_person``: each person's
frames combined, most suspicious person; ``per_frame``: each frame's most suspicious face,
combined over frames) and every aggregation (mean, median, top_quarter, max), it prints
the video-level ROC AUC per folder. The rule to serve is picked on the first folder
(validation) only; the others are reported, never used to choose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lopt.config_media import Aggregation
from lopt.inference.aggregation import RULES, aggregate
from lopt.training.metrics import roc_auc

FACE_RULES = ("per_person", "per_frame")


def video_score(row: dict[str, Any], face_rule: str, aggregation: Aggregation) -> float | None:
    tracks = [t["frames"] for t in row.get("tracks") or [] if t["frames"]]
    if not tracks:
        return None
    if face_rule == "per_person":
        return max(aggregate(list(frames.values()), aggregation) for frames in tracks)
    per_frame: dict[str, float] = {}
    for frames in tracks:
        for index, fake in frames.items():
            per_frame[index] = max(per_frame.get(index, 0.0), fake)
    return aggregate(list(per_frame.values()), aggregation)


def compare(folder: Path) -> dict[str, Any]:
    rows = [json.loads(line) for line in (folder / "predictions.jsonl").open()]
    rows = [row for row in rows if row["type"] == "video"]
    out: dict[str, Any] = {}
    for face_rule in FACE_RULES:
        for aggregation in RULES:
            scored = [(row, video_score(row, face_rule, aggregation)) for row in rows]  # type: ignore[arg-type]
            # A video without a judged face keeps the service's own (whole-frame) score.
            labels = [row["label"] for row, _ in scored]
            probs = [row["fake_probability"] if s is None else s for row, s in scored]
            out[f"{face_rule}/{aggregation}"] = {
                "auc": roc_auc(labels, probs),
                "videos": len(rows),
            }
    return out


def main() -> None:
    folders = [Path(arg) for arg in sys.argv[1:]]
    results = {folder.name: compare(folder) for folder in folders}
    chosen = max(results[folders[0].name], key=lambda rule: results[folders[0].name][rule]["auc"])
    print(
        json.dumps({"chosen_on": folders[0].name, "chosen": chosen, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
