import type { Prediction } from "../api/client";
import { percent } from "./format";
import { trackStyle } from "./verdict";

export interface Point {
  time: number;
  probability: number;
}

export interface Series {
  key: string;
  name: string;
  color: string;
  dash: string;
  points: Point[];
  verdict: string;
}

/** The per-frame lines of a video verdict: one per person, or whole frames without faces. */
export function timelineSeries(prediction: Prediction): Series[] {
  const tracks = (prediction.tracks ?? []).map((track, index) => {
    const style = trackStyle(index);
    const points = track.frames
      .filter((frame) => frame.fake_probability != null)
      .map((frame) => ({ time: frame.time_s, probability: frame.fake_probability as number }));
    const verdict = track.judged && track.label
      ? `${track.label} ${percent(track.fake_probability ?? 0)} fake`
      : "not judged (face too small)";
    return { key: `track-${track.track_id}`, name: `Person ${index + 1}`, ...style, points, verdict };
  });
  const frames = prediction.frame_scores?.length
    ? [
        {
          key: "frames",
          name: "Whole frame",
          color: "#64748b",
          dash: "",
          points: prediction.frame_scores.map((f) => ({ time: f.time_s, probability: f.fake_probability })),
          verdict: "no face: whole frames judged",
        },
      ]
    : [];
  return [...tracks, ...frames].filter((series) => series.points.length > 0);
}

/** The video's length: its duration if known, else the last scored moment. */
export function timelineEnd(prediction: Prediction): number {
  const times = [
    ...(prediction.tracks ?? []).flatMap((t) => t.frames.map((f) => f.time_s)),
    ...(prediction.frame_scores ?? []).map((f) => f.time_s),
    ...(prediction.clips ?? []).map((c) => c.end_s),
  ];
  return Math.max(prediction.media.duration_s ?? 0, ...times, 0.001);
}
