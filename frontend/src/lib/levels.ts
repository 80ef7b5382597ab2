// The verdict levels: names, colours and plain texts, in one place for every component.
import type { Prediction } from "../api/client";
import { percent } from "./format";

export type Level = Prediction["verdict"];
export type Bands = Prediction["bands"];
export type Shape = "circle-check" | "triangle-bang" | "octagon-cross" | "circle-dash";

export interface LevelStyle {
  name: string;
  /** What the level means, in one plain sentence. */
  meaning: string;
  /** The icon's shape, so the level never rests on colour alone. */
  shape: Shape;
  /** Strong colour for shapes, lines and fills drawn over any background (media, charts). */
  hex: string;
  /** Stroke pattern of a face box: a second carrier besides the colour. */
  dash?: string;
  /** Text readable on the page and on `panel`, light and dark (WCAG AA). */
  text: string;
  /** The verdict card's background and ring. */
  panel: string;
}

export const LEVELS: Record<Level, LevelStyle> = {
  authentic: {
    name: "Authentic",
    meaning: "The model found no sign of manipulation.",
    shape: "circle-check",
    hex: "#10b981",
    text: "text-emerald-800 dark:text-emerald-300",
    panel: "bg-emerald-50 ring-emerald-600/50 dark:bg-emerald-950/50 dark:ring-emerald-400/40",
  },
  suspicious: {
    name: "Suspicious",
    meaning: "The model cannot tell reliably: have a person look before trusting this file.",
    shape: "triangle-bang",
    hex: "#f59e0b",
    dash: "10 5",
    text: "text-amber-800 dark:text-amber-300",
    panel: "bg-amber-50 ring-amber-600/50 dark:bg-amber-950/50 dark:ring-amber-400/40",
  },
  manipulated: {
    name: "Manipulated",
    meaning: "The model found signs of manipulation.",
    shape: "octagon-cross",
    hex: "#ef4444",
    text: "text-red-800 dark:text-red-300",
    panel: "bg-red-50 ring-red-600/50 dark:bg-red-950/50 dark:ring-red-400/40",
  },
  not_applicable: {
    name: "Not applicable",
    meaning: "This model cannot judge this file, so there is no verdict.",
    shape: "circle-dash",
    hex: "#94a3b8",
    dash: "3 4",
    text: "text-slate-700 dark:text-slate-300",
    panel: "bg-slate-100 ring-slate-400/60 dark:bg-slate-800/60 dark:ring-slate-500/60",
  },
};

export const CAVEAT = "It is a model's estimate, not proof.";
export const REFERENCE_ONLY = "for reference only, not a verdict";

/** The level a fake probability falls in: the server's rule, for points it gives no level
 * (frames on the timeline); every file, face, person and clip carries its own. */
export function levelOf(probability: number, bands: Bands): Exclude<Level, "not_applicable"> {
  if (probability >= bands.manipulated_at) return "manipulated";
  if (probability < bands.authentic_below) return "authentic";
  return "suspicious";
}

/** The three judged levels with the part of the 0..1 scale each covers (empty ones left out). */
export function bandRanges(bands: Bands) {
  const ranges = [
    { level: "authentic" as const, from: 0, to: bands.authentic_below, text: `below ${percent(bands.authentic_below)}` },
    {
      level: "suspicious" as const,
      from: bands.authentic_below,
      to: bands.manipulated_at,
      text: `${percent(bands.authentic_below)} to under ${percent(bands.manipulated_at)}`,
    },
    { level: "manipulated" as const, from: bands.manipulated_at, to: 1, text: `${percent(bands.manipulated_at)} and above` },
  ];
  return ranges.filter((range) => range.to > range.from || (range.level === "manipulated" && range.from === 1));
}

/** What the one percentage on the page is. */
export function scoreName(calibrated: boolean): string {
  return calibrated ? "Fake probability" : "Raw score";
}

export function scoreText(prediction: Pick<Prediction, "fake_probability" | "calibrated">): string {
  const score = `${scoreName(prediction.calibrated)} ${percent(prediction.fake_probability)}`;
  return prediction.calibrated ? score : `${score} (not calibrated)`;
}

export function bandsSource(bands: Bands): string {
  const rules = bands.rules ? ` (${bands.rules})` : "";
  if (bands.source === "validation") return `Level edges chosen on validation data${rules}.`;
  if (bands.source === "settings") return "Level edges set by this server's policy.";
  return `Level edges are a default convention${rules}, not measured for this model.`;
}

/** One sentence for screen readers when a verdict arrives. */
export function announcement(prediction: Prediction): string {
  const level = LEVELS[prediction.verdict].name;
  const file = prediction.filename ? ` for ${prediction.filename}` : "";
  if (prediction.verdict_source === "provenance") {
    const own = LEVELS[prediction.model_verdict ?? "not_applicable"].name;
    return `Verdict${file}: ${level}, from Content Credentials; the model's own verdict: ${own}, ${scoreText(prediction).toLowerCase()}.`;
  }
  if (prediction.verdict === "not_applicable") return `Verdict${file}: ${level}. ${prediction.verdict_reason}`;
  return `Verdict${file}: ${level}, ${scoreText(prediction).toLowerCase()}.`;
}
