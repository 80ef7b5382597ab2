import { motion } from "framer-motion";
import type { Prediction } from "../api/client";
import { percent } from "../lib/format";
import { CAVEAT, LEVELS, REFERENCE_ONLY, bandsSource, scoreName, scoreText } from "../lib/levels";
import { DECIDED_MEANING, decidedByProvenance } from "../lib/provenance";
import { LevelIcon } from "./LevelIcon";
import { ModelLine } from "./ModelLine";
import { ScoreScale } from "./ScoreScale";

function judgedCount(prediction: Prediction): string | null {
  if (prediction.status !== "ok") return null;
  if (prediction.type === "video") {
    const people = prediction.tracks?.filter((track) => track.judged).length ?? 0;
    return people ? `${people} ${people === 1 ? "person" : "people"} judged.` : null;
  }
  const faces = prediction.faces?.filter((face) => face.judged).length ?? 0;
  return faces ? `${faces} face${faces === 1 ? "" : "s"} judged.` : null;
}

function scoredWhole(prediction: Prediction): string {
  return prediction.type === "video" ? "whole frames" : "the whole image";
}

/** The model's own verdict: the level's meaning and why, its score on the scale, or, when
 * the model cannot judge, the reason first and the score for reference only. */
function ModelJudgement({ prediction }: { prediction: Prediction }) {
  const style = LEVELS[prediction.verdict];
  if (prediction.verdict !== "not_applicable") {
    return (
      <>
        <p className="mt-2 max-w-prose font-medium" data-testid="verdict-meaning">
          {style.meaning} {CAVEAT}
        </p>
        <p className="mt-1 max-w-prose text-sm text-slate-700 dark:text-slate-300" data-testid="verdict-reason">
          Why: {prediction.verdict_reason} {judgedCount(prediction)}
        </p>
        <div className="mt-4">
          <ScoreScale prediction={prediction} />
        </div>
      </>
    );
  }
  return (
    <>
      <p className="mt-2 max-w-prose text-lg font-semibold" data-testid="verdict-reason">
        {prediction.verdict_reason}
      </p>
      <p className="mt-1 max-w-prose text-sm" data-testid="verdict-meaning">
        {style.meaning}
      </p>
      <p
        className="mt-3 rounded-lg border border-dashed border-slate-400 p-3 text-sm text-slate-700 dark:border-slate-500 dark:text-slate-300"
        data-testid="reference-score"
      >
        Score of {scoredWhole(prediction)}, {REFERENCE_ONLY}:{" "}
        <span className="font-semibold tabular-nums">{scoreText(prediction)}</span>.
      </p>
    </>
  );
}

/** A verdict that signed, trusted Content Credentials decided (LOPT_PROVENANCE_DECIDES):
 * said so, with the model's own verdict and score beside it, never hidden. */
function DecidedByCredentials({ prediction }: { prediction: Prediction }) {
  const own = prediction.model_verdict ?? "not_applicable";
  const style = LEVELS[own];
  const applicable = own !== "not_applicable";
  return (
    <>
      <p className="mt-2 max-w-prose font-medium" data-testid="verdict-meaning">
        {DECIDED_MEANING}
      </p>
      <p className="mt-1 max-w-prose text-sm text-slate-700 dark:text-slate-300" data-testid="verdict-reason">
        Why: {prediction.verdict_reason}
      </p>
      <div className="mt-3 rounded-lg border border-slate-900/20 p-3 dark:border-white/20" data-testid="model-verdict" data-level={own}>
        <p>
          <span className="font-semibold">The model's own verdict: </span>
          <span className={`font-semibold whitespace-nowrap ${style.text}`}>
            <LevelIcon level={own} size={18} className="mr-1 inline-block align-[-0.2em]" />
            {style.name}
          </span>
          <span className="tabular-nums">
            {applicable
              ? `, ${scoreText(prediction).toLowerCase()}`
              : `; score of ${scoredWhole(prediction)}, ${REFERENCE_ONLY}: ${scoreText(prediction).toLowerCase()}`}
            .
          </span>
        </p>
        {applicable ? (
          <div className="mt-3">
            <ScoreScale prediction={prediction} />
          </div>
        ) : null}
      </div>
    </>
  );
}

/** The level first, then the one percentage, what the level means and why. */
export function Verdict({ prediction }: { prediction: Prediction }) {
  const level = prediction.verdict;
  const style = LEVELS[level];
  const decided = decidedByProvenance(prediction);
  return (
    <motion.section
      initial={{ opacity: 0, y: 8 }}
      animate={{ opacity: 1, y: 0 }}
      transition={{ duration: 0.2 }}
      aria-labelledby="verdict-heading"
      data-testid="verdict"
      data-level={level}
      data-source={decided ? "provenance" : "model"}
      className={`rounded-2xl p-5 ring-2 ${style.panel}`}
    >
      <p className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300">
        Verdict{prediction.filename ? ` for ${prediction.filename}` : ""}
      </p>
      <div className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1">
        <h2 id="verdict-heading" className={`flex items-center gap-3 text-4xl font-bold ${style.text}`}>
          <LevelIcon level={level} size={40} className="shrink-0" />
          {style.name}
        </h2>
        {decided ? (
          <p className={`text-2xl leading-tight font-semibold ${style.text}`} data-testid="verdict-source">
            from Content Credentials
          </p>
        ) : level !== "not_applicable" ? (
          <p className={`text-2xl leading-tight font-semibold tabular-nums ${style.text}`} data-testid="verdict-score">
            <span className="whitespace-nowrap">
              {scoreName(prediction.calibrated)} {percent(prediction.fake_probability)}
            </span>
            {prediction.calibrated ? null : (
              <>
                {" "}
                <span className="whitespace-nowrap text-base font-medium">(not calibrated)</span>
              </>
            )}
          </p>
        ) : null}
      </div>
      {decided ? <DecidedByCredentials prediction={prediction} /> : <ModelJudgement prediction={prediction} />}
      {prediction.note ? (
        <p role="note" className="mt-3 rounded-lg bg-white/70 p-3 text-sm text-slate-800 dark:bg-slate-900/60 dark:text-slate-200" data-testid="verdict-note">
          {prediction.note}
        </p>
      ) : null}
      <div className="mt-4 space-y-1 border-t border-slate-900/10 pt-3 text-xs text-slate-600 dark:border-white/10 dark:text-slate-300">
        <ModelLine model={prediction.model} />
        <p>
          {bandsSource(prediction.bands)}{" "}
          {prediction.calibrated ? "Scores are calibrated on validation data." : "Scores are the model's raw output, not calibrated probabilities."}
        </p>
        <p>
          Rule: <code className="font-mono">{prediction.rule}</code>
          {prediction.aggregation ? ` · combined by: ${prediction.aggregation}` : ""} · {Math.round(prediction.elapsed_ms)} ms
        </p>
      </div>
    </motion.section>
  );
}
