"""Write the browser tests' provenance fixtures into a folder, signed at test time as the
backend's tests sign theirs (backend/tests/provenance/signing.py, the C2PA SDK's public
test certificate), and print their paths as JSON.

- ``ai-generated.jpg``: a real face photo, its metadata dropped, signed with a manifest whose
  one action declares it AI-generated (``trainedAlgorithmicMedia``);
- ``plain.jpg``: a freshly drawn JPEG with no manifest and no metadata;
- ``test-trust-list.pem``: a trust list holding the test chain, for a server that trusts it.

Run from the repository root: ``.venv/bin/python frontend/e2e/provenance.py FOLDER``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))  # the test helpers live in backend/tests

from tests.helpers import shared_data  # noqa: E402
from tests.provenance.signing import declaration, sign, trust_list_of_test_chain  # noqa: E402


def write_fixtures(folder: Path) -> dict[str, str]:
    photo = Image.open(shared_data() / "media" / "facenet_angelina_jolie.jpg").convert("RGB")
    photo.thumbnail((1024, 1024))
    unsigned = folder / "unsigned.jpg"
    photo.save(unsigned, quality=90)  # Pillow writes no EXIF unless asked: the metadata is gone
    signed = sign(unsigned, folder / "ai-generated.jpg", declaration("trainedAlgorithmicMedia"))
    unsigned.unlink()

    red = np.linspace(40, 200, 240, dtype=np.uint8)[:, None].repeat(320, 1)
    green = np.linspace(200, 60, 320, dtype=np.uint8)[None, :].repeat(240, 0)
    pixels = np.stack([red, green, np.full((240, 320), 120, np.uint8)], -1)
    plain = folder / "plain.jpg"
    Image.fromarray(pixels).save(plain, quality=90)
    return {
        "signed": str(signed),
        "plain": str(plain),
        "trust_list": str(trust_list_of_test_chain(folder)),
    }


if __name__ == "__main__":
    print(json.dumps(write_fixtures(Path(sys.argv[1]))))
