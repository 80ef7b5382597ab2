"""The provenance block as the pipelines make it: off when asked, a bad trust list stops
start-up, and concurrent reads share one SDK context safely."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lopt.config import Settings, SettingsError
from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.pipelines.provenance_evidence import provenance_evidence
from lopt.inference.service import _provenance_options
from lopt.media.sniff import sniff_media
from tests.helpers import needs_provenance, write_image
from tests.provenance.signing import options, sign


def settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def test_provenance_off_makes_no_block(tmp_path: Path) -> None:
    assert _provenance_options(settings(provenance=False)) is None
    photo = write_image(tmp_path / "p.jpg")
    media = MediaInput(photo, sniff_media(photo))
    assert asyncio.run(provenance_evidence(media, None)) is None


def test_a_trust_list_the_sdk_cannot_read_stops_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n")  # never ends
    with pytest.raises(SettingsError, match="LOPT_PROVENANCE_TRUST_LIST"):
        _provenance_options(settings(provenance_trust_list=broken))


@needs_provenance
def test_concurrent_reads_each_get_their_own_answer(tmp_path: Path) -> None:
    plain = write_image(tmp_path / "plain.jpg")
    signed = sign(plain, tmp_path / "signed.jpg")
    files = [signed, plain] * 6

    async def read_all() -> list[str]:
        blocks = await asyncio.gather(
            *(provenance_evidence(MediaInput(f, sniff_media(f)), options()) for f in files)
        )
        return [block.c2pa.state for block in blocks if block is not None]

    assert asyncio.run(read_all()) == ["valid", "none"] * 6
