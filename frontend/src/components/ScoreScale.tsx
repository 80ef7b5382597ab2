import type { Prediction } from "../api/client";
import { percent } from "../lib/format";
import { LEVELS, bandRanges, scoreName } from "../lib/levels";
import { LevelIcon } from "./LevelIcon";

interface Props {
  prediction: Pick<Prediction, "fake_probability" | "calibrated" | "bands">;
}

/** The 0–100% scale split at the level edges, with this file's score marked on it. */
export function ScoreScale({ prediction }: Props) {
  const { fake_probability: score, bands } = prediction;
  const ranges = bandRanges(bands);
  const name = scoreName(prediction.calibrated).toLowerCase();
  const description =
    `${percent(score)} ${name} on a scale where ` +
    ranges.map((range) => `${range.text} is ${LEVELS[range.level].name.toLowerCase()}`).join(", ");
  return (
    <figure className="space-y-2" data-testid="score-scale">
      <div className="relative pt-3" role="img" aria-label={description}>
        <div className="flex h-3 overflow-hidden rounded-full ring-1 ring-slate-900/10 dark:ring-white/10">
          {ranges.map((range) => (
            <div
              key={range.level}
              data-testid={`scale-${range.level}`}
              style={{ width: `${(range.to - range.from) * 100}%`, backgroundColor: LEVELS[range.level].hex }}
            />
          ))}
        </div>
        {/* The marker: a dark pin with a light edge, visible on every band in both themes. */}
        <div
          className="absolute top-0 h-6 w-1.5 -translate-x-1/2 rounded-full bg-slate-900 ring-2 ring-white dark:bg-white dark:ring-slate-900"
          style={{ left: `${Math.min(1, Math.max(0, score)) * 100}%` }}
          data-testid="scale-marker"
        />
      </div>
      <figcaption>
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300">
          {ranges.map((range) => (
            <li key={range.level} className="flex items-center gap-1">
              <LevelIcon level={range.level} size={14} />
              <span>
                <span className="font-semibold">{LEVELS[range.level].name}</span>: {range.text}
              </span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
