import type { Limits, Prediction } from "../api/client";

export const limits: Limits = {
  max_upload_bytes: 1000,
  max_image_pixels: 1_000_000,
  max_video_seconds: 60,
  max_video_pixels: 1_000_000,
  image_mime_types: ["image/jpeg", "image/png"],
  video_mime_types: ["video/mp4", "video/webm"],
  extensions: [".jpeg", ".jpg", ".mp4", ".png", ".webm"],
};

export function imagePrediction(overrides: Partial<Prediction> = {}): Prediction {
  return {
    type: "image",
    label: "Fake",
    confidence: 0.91,
    fake_probability: 0.91,
    probabilities: { Real: 0.09, Fake: 0.91 },
    threshold: 0.5,
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
        label: "Fake",
        confidence: 0.91,
        fake_probability: 0.91,
      },
      {
        box: { x1: 200, y1: 20, x2: 300, y2: 140 },
        detector_score: 0.8,
        judged: true,
        label: "Real",
        confidence: 0.8,
        fake_probability: 0.2,
      },
      { box: { x1: 350, y1: 10, x2: 360, y2: 20 }, detector_score: 0.6, judged: false },
    ],
    filename: "photo.jpg",
    elapsed_ms: 120,
    ...overrides,
  };
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
    label: "Fake",
    media: { format: "mp4", mime: "video/mp4", width: 320, height: 240, duration_s: 4, fps: 10, frame_count: 40, sampled_frames: 4 },
    rule: "max(most_suspicious_person, clips)",
    aggregation: "mean",
    tracks: [
      { track_id: 0, judged: true, label: "Fake", confidence: 0.8, fake_probability: 0.8, frames: [frame(0, 0.7, 10), frame(2, 0.9, 20)] },
      { track_id: 3, judged: true, label: "Real", confidence: 0.9, fake_probability: 0.1, frames: [frame(1, 0.1, 200), frame(3, 0.1, 210)] },
    ],
    clips: [{ index: 0, start_s: 0, end_s: 2, frame_indices: [0, 10], label: "Fake", fake_probability: 0.7 }],
  };
}
