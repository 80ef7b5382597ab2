import type { Prediction } from "../api/client";

export type Tone = "real" | "fake" | "caution";

/** A verdict without a judged face is flagged, whatever its label. */
export function toneOf(prediction: Pick<Prediction, "label" | "status">): Tone {
  if (prediction.status !== "ok") return "caution";
  return prediction.label === "Fake" ? "fake" : "real";
}

export function headline(prediction: Pick<Prediction, "label" | "status" | "type">): string {
  if (prediction.status === "no_face") return "No face found";
  if (prediction.status === "faces_too_small") return "Faces too small to judge";
  return prediction.label;
}

export const TONE_CLASSES: Record<Tone, { text: string; ring: string; bg: string; hex: string }> = {
  real: {
    text: "text-emerald-700 dark:text-emerald-400",
    ring: "ring-emerald-500/40",
    bg: "bg-emerald-50 dark:bg-emerald-950/40",
    hex: "#10b981",
  },
  fake: {
    text: "text-rose-700 dark:text-rose-400",
    ring: "ring-rose-500/40",
    bg: "bg-rose-50 dark:bg-rose-950/40",
    hex: "#f43f5e",
  },
  caution: {
    text: "text-amber-700 dark:text-amber-400",
    ring: "ring-amber-500/40",
    bg: "bg-amber-50 dark:bg-amber-950/40",
    hex: "#f59e0b",
  },
};

export const LABEL_HEX = { Real: "#10b981", Fake: "#f43f5e" } as const;

// Distinct hues and dash patterns, so people stay apart without relying on colour alone.
export const TRACK_STYLES = [
  { color: "#6366f1", dash: "" },
  { color: "#f59e0b", dash: "6 3" },
  { color: "#06b6d4", dash: "2 3" },
  { color: "#ec4899", dash: "8 3 2 3" },
  { color: "#84cc16", dash: "1 2" },
  { color: "#a855f7", dash: "10 4" },
];

export function trackStyle(index: number) {
  return TRACK_STYLES[index % TRACK_STYLES.length];
}
