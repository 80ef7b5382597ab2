import type { Heatmap, Limits, Prediction } from "../api/client";
import type { Level } from "../lib/levels";

export const limits: Limits = {
  max_upload_bytes: 1000,
  max_image_pixels: 1_000_000,
  max_video_seconds: 60,
  max_video_pixels: 1_000_000,
  image_mime_types: ["image/jpeg", "image/png"],
  video_mime_types: ["video/mp4", "video/webm"],
  extensions: [".jpeg", ".jpg", ".mp4", ".png", ".webm"],
};

export const bands: Prediction["bands"] = {
  authentic_below: 0.2,
  manipulated_at: 0.8,
  source: "validation",
  rules: "fpr<=0.03 / fnr<=0.05 on val",
};

/** The scores of a file at fake probability ``p`` on the calibrated scale. */
function scored(p: number) {
  const label = p >= 0.5 ? ("Fake" as const) : ("Real" as const);
  return {
    label,
    confidence: label === "Fake" ? p : 1 - p,
    fake_probability: p,
    raw_fake_probability: Math.min(1, p + 0.05),
    calibrated: true,
    probabilities: { Real: 1 - p, Fake: p },
  };
}

export function imagePrediction(overrides: Partial<Prediction> = {}): Prediction {
  return {
    type: "image",
    verdict: "manipulated",
    verdict_reason: "The model's fake probability, 91%, is at or above 80%, where it calls a file manipulated.",
    ...scored(0.91),
    threshold: 0.5,
    bands,
    model: { id: "agasta/virtus", revision: null, replaces: null },
    media: { format: "jpeg", mime: "image/jpeg", width: 400, height: 300 },
    status: "ok",
    rule: "most_suspicious_face",
    note: null,
    faces: [
      {
        box: { x1: 10, y1: 20, x2: 110, y2: 140 },
        detector_score: 0.9,
        judged: true,
        verdict: "manipulated",
        ...scored(0.91),
      },
      {
        box: { x1: 200, y1: 20, x2: 300, y2: 140 },
        detector_score: 0.8,
        judged: true,
        verdict: "suspicious",
        ...scored(0.35),
      },
      { box: { x1: 350, y1: 10, x2: 360, y2: 20 }, detector_score: 0.6, judged: false },
    ],
    filename: "photo.jpg",
    elapsed_ms: 120,
    ...overrides,
  };
}

const REASONS: Record<Level, (p: number) => string> = {
  authentic: (p) => `The model's fake probability, ${Math.round(p * 100)}%, is below 20%: it finds no sign of manipulation.`,
  suspicious: (p) =>
    `The model's fake probability, ${Math.round(p * 100)}%, lies between 20% and 80%: it cannot tell reliably. Have a person look.`,
  manipulated: (p) =>
    `The model's fake probability, ${Math.round(p * 100)}%, is at or above 80%, where it calls a file manipulated.`,
  not_applicable: () => "No face was found, and this detector judges faces only. It cannot say.",
};

/** A photo whose verdict is ``level`` at fake probability ``p``, as the server would send it. */
export function photoAt(level: Level, p: number): Prediction {
  const face = level === "not_applicable" ? { faces: [], status: "no_face" as const, rule: "whole_image" } : {};
  const note =
    level === "not_applicable"
      ? "No face was found. This detector judges faces only, so it cannot say whether this file is real: the score of the whole image is shown for reference, not as a verdict."
      : null;
  return imagePrediction({ verdict: level, verdict_reason: REASONS[level](p), ...scored(p), note, ...face });
}

export function videoPrediction(): Prediction {
  const frame = (index: number, p: number, x: number) => ({
    frame_index: index * 10,
    time_s: index,
    box: { x1: x, y1: 10, x2: x + 50, y2: 60 },
    fake_probability: p,
  });
  return {
    ...imagePrediction({ faces: null }),
    type: "video",
    ...scored(0.8),
    verdict: "manipulated",
    verdict_reason: REASONS.manipulated(0.8),
    media: { format: "mp4", mime: "video/mp4", width: 320, height: 240, duration_s: 4, fps: 10, frame_count: 40, sampled_frames: 4 },
    rule: "max(most_suspicious_person, clips)",
    aggregation: "mean",
    tracks: [
      { track_id: 0, judged: true, verdict: "manipulated", ...scored(0.8), frames: [frame(0, 0.7, 10), frame(2, 0.9, 20)] },
      { track_id: 3, judged: true, verdict: "authentic", ...scored(0.1), frames: [frame(1, 0.1, 200), frame(3, 0.1, 210)] },
    ],
    clips: [
      { index: 0, start_s: 0, end_s: 2, frame_indices: [0, 10], label: "Fake", fake_probability: 0.7, raw_fake_probability: 0.72, verdict: "suspicious" },
    ],
  };
}

/** A heatmap as the server draws it: localised ones carry a PNG (one orange pixel here). */
export function heatmapOver(box: { x1: number; y1: number; x2: number; y2: number }, localised = true): Heatmap {
  return {
    method: "grad-cam",
    layer: "conv_head",
    box,
    localised,
    concentration: localised ? 0.62 : 0.18,
    image: localised
      ? "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP42cd5AgAGbQJZuGITGAAAAABJRU5ErkJggg=="
      : null,
  };
}

const explanation = (heatmaps: number): Prediction["explanation"] => ({
  model: "lopt-faces-v2",
  precision: "float32",
  methods: ["grad-cam"],
  layer: "conv_head",
  heatmaps,
  note: null,
});

/** The photo asked for with explain=true: face 1's map is localised, face 2's is not, and
 * face 3 was too small to judge. Each map covers the crop around its face. */
export function explainedPhoto(): Prediction {
  const [first, second, small] = imagePrediction().faces ?? [];
  return imagePrediction({
    faces: [
      { ...first, heatmap: heatmapOver({ x1: 0, y1: 10, x2: 120, y2: 150 }) },
      { ...second, heatmap: heatmapOver({ x1: 190, y1: 10, x2: 310, y2: 150 }, false) },
      small,
    ],
    explanation: explanation(2),
  });
}

/** The video asked for with explain=true: person 1's most suspicious frame (2 s) has a
 * localised map, person 2's (1 s) has none localised. */
export function explainedVideo(): Prediction {
  const video = videoPrediction();
  const [first, second] = video.tracks ?? [];
  return {
    ...video,
    tracks: [
      { ...first, frames: [first.frames[0], { ...first.frames[1], heatmap: heatmapOver({ x1: 15, y1: 5, x2: 75, y2: 65 }) }] },
      { ...second, frames: [{ ...second.frames[0], heatmap: heatmapOver({ x1: 195, y1: 5, x2: 255, y2: 65 }, false) }, second.frames[1]] },
    ],
    explanation: explanation(2),
  };
}

type Provenance = NonNullable<Prediction["provenance"]>;
type Finding = Provenance["finding"];
const IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/";

/** The server's lines on what each basis does and does not prove (lopt/provenance/finding.py). */
export const PROVES: Record<Finding["basis"], string> = {
  signed_trusted:
    "A trusted signature proves who signed and that the file has not changed since. It does not prove that what the file shows is true, and a tool can declare wrongly.",
  signed_untrusted:
    "The file has not changed since it was signed, but the signer is not on the trust list, so who signed is not established: anyone can make such a certificate.",
  signed_invalid:
    "The file or its manifest changed after signing, or the manifest is damaged: nothing it declares can be relied on. That alone does not make the picture fake.",
  unsigned_metadata:
    "Unsigned metadata proves nothing: anyone can write, change or strip it. It can point to where a file came from, nothing more.",
  none: "No declaration proves nothing either way: most files carry none, and sites and messengers strip it.",
};

const NO_MANIFEST: Provenance["c2pa"] = {
  state: "none",
  reason: "The file carries no C2PA manifest (most files carry none; sites and messengers often strip it).",
  failures: [],
  actions: [],
  digital_source_types: [],
  ingredients: [],
};
const NO_METADATA: NonNullable<Provenance["metadata"]> = {
  camera_make: null,
  camera_model: null,
  software: null,
  digital_source_type: null,
  generation_parameters: [],
};

/** A manifest signed by the SDK's test certificate whose one action declares ``sourceType``. */
export function manifest(state: "valid" | "trusted" | "invalid", sourceType = "trainedAlgorithmicMedia"): Provenance["c2pa"] {
  const reasons = {
    valid: "The signature and the content hashes check, but the signer (C2PA Test Signing Cert) is not on the trust list: anyone can make a certificate with any name in it.",
    trusted: "The signature and the content hashes check, and the signer chains to the trust list.",
    invalid: "The manifest fails verification: the content changed after signing.",
  };
  return {
    ...NO_MANIFEST,
    state,
    reason: reasons[state],
    failures:
      state === "invalid"
        ? [{ code: "assertion.dataHash.mismatch", explanation: "asset hash error, name: jumbf manifest, error: hash verification( Hashes do not match )" }]
        : [],
    signer: "C2PA Test Signing Cert",
    signer_common_name: "C2PA Signer",
    signed_at: "2024-08-06T21:53:37+00:00",
    claim_generator: "lopt-tests 1",
    actions: [{ action: "c2pa.created", software_agent: "ImageGen 2", digital_source_type: IPTC + sourceType }],
    digital_source_types: [IPTC + sourceType],
    ingredients: [{ title: "A.jpg", relationship: "parentOf", digital_source_types: [] }],
  };
}

/** A provenance block whose finding is ``kind`` on ``basis``, with the server's proves line. */
export function provenanceOf(
  kind: Finding["kind"],
  basis: Finding["basis"],
  parts: Partial<Provenance> & { summary?: string } = {},
): Provenance {
  const { summary, ...rest } = parts;
  return {
    c2pa: NO_MANIFEST,
    metadata: NO_METADATA,
    finding: { kind, basis, summary: summary ?? `A ${kind} finding on ${basis}.`, proves: PROVES[basis], sources: [] },
    note: null,
    elapsed_ms: 4.2,
    ...rest,
  };
}

/** Signed with the test certificate and declared AI-generated (untrusted unless ``trusted``). */
export function signedAiGenerated(trusted = false): Provenance {
  const basis = trusted ? "signed_trusted" : "signed_untrusted";
  const where = trusted ? "on the trust list" : "not on the trust list";
  return provenanceOf("ai_generated_declared", basis, {
    c2pa: manifest(trusted ? "trusted" : "valid"),
    summary: `Content Credentials signed by C2PA Test Signing Cert (${where}) declare it AI-generated.`,
  });
}

/** The shared XCA.jpg: pixels changed after signing. */
export function tamperedCredentials(): Provenance {
  return provenanceOf("tampered", "signed_invalid", {
    c2pa: { ...manifest("invalid"), actions: [{ action: "c2pa.color_adjustments" }], digital_source_types: [] },
    summary: "Content Credentials are present but fail verification. The manifest fails verification: the content changed after signing.",
  });
}

/** The shared cloud.jpg: a manifest stored online, never fetched, and an editor in EXIF. */
export function remoteCredentials(): Provenance {
  return provenanceOf("edited_declared", "unsigned_metadata", {
    c2pa: {
      ...NO_MANIFEST,
      state: "remote_not_fetched",
      reason: "The file points to a manifest stored online. Lopt never fetches it (a server request to an address chosen by the uploader is a security hole), so it is not verified.",
      remote_url: "https://cai-manifests.example/manifests/urn-uuid-5f37e182",
    },
    metadata: { ...NO_METADATA, software: { value: "Adobe Photoshop 21.1 (Macintosh)", source: "exif:Software" } },
    summary: "Unsigned metadata (exif:Software) declares it edited. Anyone can write, change or strip such metadata. It points to Content Credentials stored online, which Lopt does not fetch.",
  });
}

/** A ComfyUI PNG: its workflow text (long, cut) and an XMP source type, all unsigned. */
export function unsignedGenerator(): Provenance {
  const workflow = `{"3": {"class_type": "KSampler", "inputs": {"seed": 42}}}\n${"x".repeat(400)}`;
  return provenanceOf("ai_generated_declared", "unsigned_metadata", {
    metadata: {
      ...NO_METADATA,
      camera_make: { value: "Canon", source: "exif:Make" },
      camera_model: { value: "Canon EOS REBEL T3", source: "exif:Model" },
      digital_source_type: { value: IPTC + "trainedAlgorithmicMedia", source: "xmp:DigitalSourceType" },
      generation_parameters: [
        { generator: "ComfyUI", source: "png:workflow", text: workflow, truncated: true, bytes: 40_000 },
        { generator: "ComfyUI", source: "png:prompt", text: "a lighthouse at dusk", truncated: false, bytes: 20 },
      ],
    },
    note: "png:workflow was cut to LOPT_PROVENANCE_MAX_PNG_TEXT_BYTES (16384 of 40000 bytes).",
    summary: "Unsigned metadata (xmp:DigitalSourceType, png:workflow, png:prompt) declares it AI-generated. Anyone can write, change or strip such metadata.",
  });
}

/** The verdict that signed, trusted credentials decided (LOPT_PROVENANCE_DECIDES); the model
 * alone called the photo authentic at 12%. */
export function decidedByCredentials(): Prediction {
  return {
    ...photoAt("authentic", 0.12),
    verdict: "manipulated",
    verdict_source: "provenance",
    model_verdict: "authentic",
    verdict_reason: `Content Credentials signed by C2PA Test Signing Cert, whose certificate chains to the trust list, declare this file AI-generated, and this server lets such a declaration decide (LOPT_PROVENANCE_DECIDES). The model alone says authentic: ${REASONS.authentic(0.12)}`,
    provenance: signedAiGenerated(true),
  };
}
