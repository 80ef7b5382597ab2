import { motion } from "framer-motion";
import type { Prediction } from "../api/client";
import { percent } from "../lib/format";
import { TONE_CLASSES, headline, toneOf } from "../lib/verdict";
import { Gauge } from "./Gauge";
import { ModelLine } from "./ModelLine";
import { ProbabilityBars } from "./ProbabilityBars";

function summary(prediction: Prediction): string {
  const people = prediction.type === "video" ? prediction.tracks?.length ?? 0 : null;
  const faces = prediction.faces?.length ?? 0;
  if (prediction.status !== "ok") {
    return `The whole ${prediction.type === "video" ? "frame" : "image"} was judged instead: ${prediction.label} (${percent(prediction.confidence)}). Treat this verdict with caution.`;
  }
  const counted = people === null ? `${faces} face${faces === 1 ? "" : "s"}` : `${people} ${people === 1 ? "person" : "people"}`;
  return `${counted} judged. ${prediction.label} with ${percent(prediction.confidence)} confidence.`;
}

export function Verdict({ prediction }: { prediction: Prediction }) {
  const tone = toneOf(prediction);
  const classes = TONE_CLASSES[tone];
  return (
    <motion.section
      initial={{ opacity: 0, y: 8 }}
      animate={{ opacity: 1, y: 0 }}
      transition={{ duration: 0.2 }}
      aria-labelledby="verdict-heading"
      data-testid="verdict"
      data-tone={tone}
      className={`rounded-2xl p-5 ring-2 ${classes.ring} ${classes.bg}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <p className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            Verdict{prediction.filename ? ` for ${prediction.filename}` : ""}
          </p>
          <h2 id="verdict-heading" className={`text-4xl font-bold ${classes.text}`}>
            {headline(prediction)}
          </h2>
          <p className="mt-1 max-w-prose text-sm">{summary(prediction)}</p>
        </div>
        <Gauge value={prediction.confidence} color={classes.hex} label={`Confidence in ${prediction.label}`} />
      </div>
      {prediction.note ? (
        <p role="alert" className="mt-3 rounded-lg bg-amber-100 p-3 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
          {prediction.note}
        </p>
      ) : null}
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <ProbabilityBars probabilities={prediction.probabilities} threshold={prediction.threshold} />
        <div className="space-y-1">
          <ModelLine model={prediction.model} />
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Rule: <code className="font-mono">{prediction.rule}</code>
            {prediction.aggregation ? ` · combined by: ${prediction.aggregation}` : ""} ·{" "}
            {Math.round(prediction.elapsed_ms)} ms
          </p>
        </div>
      </div>
    </motion.section>
  );
}
