import type { Prediction } from "../api/client";
import { percent } from "./format";
import { LEVELS, type Level } from "./levels";

export interface Point {
  time: number;
  probability: number;
  /** The frame's heatmap, when it has one: drawn, or not localised (nothing to draw). */
  heatmap?: "drawn" | "not_localised";
}

type Track = NonNullable<Prediction["tracks"]>[number];
type Frame = Track["frames"][number];

function heatmapOf(frame: Frame): Point["heatmap"] {
  const map = frame.heatmap ?? frame.attention_map;
  if (!map) return undefined;
  return map.localised && map.image ? "drawn" : "not_localised";
}

export interface Series {
  key: string;
  name: string;
  /** Text-colour classes (light and dark); lines are drawn in currentColor. */
  color: string;
  dash: string;
  points: Point[];
  /** The person's own level (null: not judged, or scores for reference only). */
  level: Level | null;
  summary: string;
}

// People's lines: hues that are none of the levels' (green, amber, red, grey), each with its
// own dash pattern, so people stay apart without relying on colour alone.
export const TRACK_STYLES = [
  { color: "text-indigo-600 dark:text-indigo-300", dash: "" },
  { color: "text-cyan-700 dark:text-cyan-300", dash: "6 3" },
  { color: "text-purple-700 dark:text-purple-300", dash: "2 3" },
  { color: "text-blue-800 dark:text-blue-300", dash: "8 3 2 3" },
  { color: "text-fuchsia-700 dark:text-fuchsia-300", dash: "1 2" },
  { color: "text-sky-700 dark:text-sky-300", dash: "10 4" },
];

export function trackStyle(index: number) {
  return TRACK_STYLES[index % TRACK_STYLES.length];
}

/** The per-frame lines of a video verdict: one per person, or whole frames without faces. */
export function timelineSeries(prediction: Prediction): Series[] {
  const tracks = (prediction.tracks ?? []).map((track, index) => {
    const points = track.frames
      .filter((frame) => frame.fake_probability != null)
      .map((frame) => ({ time: frame.time_s, probability: frame.fake_probability as number, heatmap: heatmapOf(frame) }));
    const level = track.judged ? track.verdict ?? null : null;
    const summary =
      level && track.fake_probability != null
        ? `${LEVELS[level].name} ${percent(track.fake_probability)}`
        : "not judged (face too small)";
    return { key: `track-${track.track_id}`, name: `Person ${index + 1}`, ...trackStyle(index), points, level, summary };
  });
  const frames = prediction.frame_scores?.length
    ? [
        {
          key: "frames",
          name: "Whole frame",
          color: "text-slate-700 dark:text-slate-300",
          dash: "",
          points: prediction.frame_scores.map((f) => ({ time: f.time_s, probability: f.fake_probability })),
          level: null,
          summary: prediction.verdict === "not_applicable" ? "no face: for reference only, not a verdict" : "no face: whole frames judged",
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

/** Each person's sampled frame nearest to ``time``, where one lies within half a sampling
 * step of it: what the video shows of that person at that moment. */
export function framesAt(prediction: Prediction, time: number): { track: Track; index: number; frame: Frame }[] {
  const window = timelineEnd(prediction) / Math.max(1, prediction.media.sampled_frames ?? 16) / 2;
  return (prediction.tracks ?? []).flatMap((track, index) => {
    const nearest = track.frames.reduce<Frame | null>(
      (best, frame) => (best === null || Math.abs(frame.time_s - time) < Math.abs(best.time_s - time) ? frame : best),
      null,
    );
    return nearest === null || Math.abs(nearest.time_s - time) > window ? [] : [{ track, index, frame: nearest }];
  });
}
