"""The provenance block of a response, and the one rule by which it may decide a verdict.

Read in a worker thread, beside the model's work, under LOPT_PROVENANCE_TIMEOUT_S. The
model's own fields never change with it; only with LOPT_PROVENANCE_DECIDES, and only for
signed and trusted Content Credentials that declare the file AI-generated, does the
verdict change, and the response then says it came from provenance.
"""

from __future__ import annotations

import asyncio
import logging
import time

from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.results import Prediction
from lopt.provenance import Provenance, ProvenanceOptions, read_provenance, unavailable

log = logging.getLogger(__name__)


async def provenance_evidence(
    media: MediaInput, options: ProvenanceOptions | None
) -> Provenance | None:
    """What the file declares about its origin; None when LOPT_PROVENANCE is off."""
    if options is None:
        return None
    started = time.perf_counter()
    sniffed = media.sniffed
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(read_provenance, media.path, sniffed.mime, sniffed.kind, options),
            timeout=options.timeout_s,
        )
    except TimeoutError:
        reason = (
            f"Reading provenance took longer than LOPT_PROVENANCE_TIMEOUT_S "
            f"({options.timeout_s:g} s); the response goes without it."
        )
    except Exception:  # provenance is evidence beside the verdict: it must not fail it
        log.exception("Provenance reading failed on %s", media.filename or media.path.name)
        reason = "Provenance could not be read from this file."
    return unavailable(reason, (time.perf_counter() - started) * 1000)


def with_provenance(
    prediction: Prediction, provenance: Provenance | None, options: ProvenanceOptions | None
) -> Prediction:
    """Attach the block; with LOPT_PROVENANCE_DECIDES, let a signed, trusted AI-generated
    declaration decide the verdict (the model's own verdict is kept in ``model_verdict``)."""
    prediction.provenance = provenance
    if options is None or not options.decides or provenance is None:
        return prediction
    finding = provenance.finding
    if finding.kind != "ai_generated_declared" or finding.basis != "signed_trusted":
        return prediction
    signer = provenance.c2pa.signer or "an unnamed signer"
    prediction.model_verdict = prediction.verdict
    prediction.verdict_reason = (
        f"Content Credentials signed by {signer}, whose certificate chains to the trust "
        "list, declare this file AI-generated, and this server lets such a declaration "
        f"decide (LOPT_PROVENANCE_DECIDES). The model alone says {prediction.verdict}: "
        f"{prediction.verdict_reason}"
    )
    prediction.verdict = "manipulated"
    prediction.verdict_source = "provenance"
    return prediction
