"""Write the video part of lopt-faces-v2's training data as a CSV manifest.

    python models/lopt-faces-v2/video_manifest.py ../shared/data/videos > videos.csv

FaceForensics++ names its clips ``youtube_N.mp4`` (originals), ``METHOD_T_S.mp4``
(target T's video with source S's face) and ``actors_NN__scene.mp4`` (studio originals).
Every fake uses both clips of its youtube pair, so a pair's two originals and all of its
fakes form one group, and whole pairs are pinned to a split (``split`` column): two pairs
train, one validates, two are held out for test. Actors are grouped by actor and spread
over the splits; talking-head clips are one group each and left to the split's fractions.
The pairs are dealt to splits in a fixed shuffled order (seed 0), not by looking at results.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

PAIR_SPLITS = ("train", "train", "val", "test", "test")
ACTOR_SPLITS = ("train", "train", "val", "test")


def rows(videos: Path) -> list[dict[str, str]]:
    ffpp = videos / "ffpp-c40"
    out: list[dict[str, str]] = []
    fakes = sorted((ffpp / "fake").glob("*.mp4"))
    pairs = sorted({tuple(sorted(f.stem.split("_")[1:3])) for f in fakes})
    random.Random(0).shuffle(pairs)
    split_of = {pair: PAIR_SPLITS[i % len(PAIR_SPLITS)] for i, pair in enumerate(pairs)}
    pair_of = {clip: pair for pair in pairs for clip in pair}
    for fake in fakes:
        method, target = fake.stem.split("_")[:2]
        pair = pair_of[target]
        out.append(
            _row(fake, "fake", f"ffpp/{'-'.join(pair)}", f"ffpp-c40/{method}", split_of[pair])
        )
    actors = sorted({m.group(1) for m in map(_actor, (ffpp / "real").glob("actors_*.mp4")) if m})
    random.Random(0).shuffle(actors)
    actor_split = {actor: ACTOR_SPLITS[i % len(ACTOR_SPLITS)] for i, actor in enumerate(actors)}
    for real in sorted((ffpp / "real").glob("*.mp4")):
        if real.stem.startswith("youtube_"):
            pair = pair_of.get(real.stem.split("_")[1])
            if pair is None:  # an original without fakes here: its own group
                out.append(_row(real, "real", f"ffpp/{real.stem}", "ffpp-c40", ""))
                continue
            out.append(_row(real, "real", f"ffpp/{'-'.join(pair)}", "ffpp-c40", split_of[pair]))
        elif match := _actor(real):
            actor = match.group(1)
            out.append(_row(real, "real", f"ffpp/actor{actor}", "ffpp-c40", actor_split[actor]))
    for real in sorted((videos / "talking-heads" / "real").glob("*.mp4")):
        out.append(_row(real, "real", f"talking-heads/{real.stem}", "talking-heads", ""))
    return out


def _actor(path: Path) -> re.Match[str] | None:
    return re.match(r"actors_(\d+)__", path.name)


def _row(path: Path, label: str, group: str, source: str, split: str) -> dict[str, str]:
    return {
        "path": str(path.resolve()),
        "label": label,
        "group": group,
        "source": source,
        "split": split,
    }


def main() -> None:
    videos = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/videos")
    writer = csv.DictWriter(sys.stdout, fieldnames=["path", "label", "group", "source", "split"])
    writer.writeheader()
    writer.writerows(rows(videos))


if __name__ == "__main__":
    main()
