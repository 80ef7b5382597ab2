"""What provenance reading adds per photo: end to end with it on against off, in one run.

    python bench/bench_provenance.py [--rounds 5] [--model embedded|deit-base|PATH]

Each photo goes through ``DetectionService.analyse`` (the code behind
``POST /playground``) on two services that differ only in ``LOPT_PROVENANCE``; they take
turns on each photo, so machine noise falls on both alike. The photos: the shared
portraits, a 12 MP JPEG, the same 12 MP JPEG with signed Content Credentials (the SDK's
public test certificate), the shared C2PA fixture ``C.jpg`` (a 50 kB manifest) and a PNG
with Stable Diffusion parameters. Also printed: ``read_provenance`` alone on each, which
is the work provenance adds (it runs in a worker thread beside decoding, so on a machine
with a free core the end-to-end cost is lower still). The budget is 20 ms per photo.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from harness import SHARED_DATA, deit_base_sized, machine_description

BUDGET_MS = 20.0
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def make_photos(folder: Path) -> list[Path]:
    """The shared portraits plus a 12 MP JPEG, its signed copy, C.jpg and an SD PNG."""
    import c2pa
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    media, signing = SHARED_DATA / "media", SHARED_DATA / "provenance" / "c2pa"
    portraits = sorted(media.glob("facenet_*.jpg"))
    large = folder / "12mp.jpg"
    Image.open(portraits[0]).convert("RGB").resize((4032, 3024)).save(large, quality=90)
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256,
        (signing / "es256_certs.pem").read_bytes(),
        (signing / "es256_private.key").read_bytes(),
        None,
    )
    manifest = {
        "claim_generator_info": [{"name": "bench", "version": "1"}],
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
                        }
                    ]
                },
            }
        ],
    }
    signed = folder / "12mp-signed.jpg"
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    with c2pa.Builder(manifest, context=context) as builder:
        out = io.BytesIO()
        builder.sign(c2pa.Signer.from_info(info), "image/jpeg", io.BytesIO(large.read_bytes()), out)
    signed.write_bytes(out.getvalue())
    text = PngInfo()
    text.add_text("parameters", "an astronaut\nSteps: 20, Sampler: Euler a, Seed: 1" * 20)
    png = folder / "sd.png"
    Image.open(media / "skimage_astronaut.png").save(png, pnginfo=text)
    return [*portraits, large, signed, signing / "C.jpg", png]


def read_alone(photos: list[Path], rounds: int) -> dict[str, float]:
    """Median ms of ``read_provenance`` on each photo (the first call, which loads the
    SDK's trust list, is left out)."""
    from lopt.config import Settings
    from lopt.media.sniff import sniff_media
    from lopt.provenance import ProvenanceOptions, read_provenance

    options = ProvenanceOptions.from_settings(Settings())
    medians = {}
    for photo in photos:
        sniffed = sniff_media(photo)
        read_provenance(photo, sniffed.mime, "image", options)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            read_provenance(photo, sniffed.mime, "image", options)
            times.append((time.perf_counter() - started) * 1000)
        medians[photo.name] = statistics.median(times)
    return medians


async def end_to_end(model: str, photos: list[Path], rounds: int) -> dict[str, list[float]]:
    from lopt.config import load_settings
    from lopt.inference.service import DetectionService

    common = {"image_model": model, "video_model": "none"}
    services = {
        "off": DetectionService.load(load_settings(**common, provenance=False)),
        "on": DetectionService.load(load_settings(**common, provenance=True)),
    }
    times: dict[str, list[float]] = {name: [] for name in services}
    for service in services.values():
        await service.start()
    try:
        for photo in photos:  # one untimed pass each: caches, the SDK's context
            for service in services.values():
                await service.analyse(photo)
        for round_ in range(rounds):
            for photo in photos:
                order = list(services.items())
                for name, service in order if round_ % 2 else reversed(order):
                    started = time.perf_counter()
                    await service.analyse(photo)
                    times[name].append((time.perf_counter() - started) * 1000)
    finally:
        for service in services.values():
            await service.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", default="embedded", help="embedded, deit-base or a checkpoint")
    args = parser.parse_args()
    if not (SHARED_DATA / "provenance").is_dir() or not (SHARED_DATA / "media").is_dir():
        print(f"shared media/provenance not found under {SHARED_DATA}", file=sys.stderr)
        return 2
    print(f"Machine: {machine_description()}")
    with tempfile.TemporaryDirectory() as scratch:
        photos = make_photos(Path(scratch))
        alone = read_alone(photos, max(args.rounds, 5))
        model = {"embedded": "lopt-faces-v2"}.get(args.model, args.model)
        if model == "deit-base":
            model = str(deit_base_sized(Path(scratch) / "deit-base"))
        times = asyncio.run(end_to_end(model, photos, args.rounds))
    print(f"read_provenance alone, median of {max(args.rounds, 5)} (ms):")
    for name, ms in alone.items():
        print(f"  {name:28s} {ms:7.2f}")
    off, on = times["off"], times["on"]
    added = [b - a for a, b in zip(off, on, strict=True)]  # paired: same photo, same round
    worst = max(alone.values())
    print(f"end to end, model {args.model}; {len(photos)} photos x {args.rounds} rounds (ms):")
    print(f"  provenance off  median {statistics.median(off):8.1f}")
    print(f"  provenance on   median {statistics.median(on):8.1f}")
    print(
        f"  added per photo: median {statistics.median(added):+.1f} ms, ratio on/off "
        f"{statistics.median(on) / statistics.median(off):.3f}x; read alone at most "
        f"{worst:.1f} ms (budget {BUDGET_MS:.0f} ms: {'met' if worst <= BUDGET_MS else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
