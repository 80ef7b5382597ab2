import { percent } from "../lib/format";
import { LABEL_HEX } from "../lib/verdict";

interface Props {
  probabilities: Record<string, number>;
  threshold: number;
}

export function ProbabilityBars({ probabilities, threshold }: Props) {
  return (
    <dl className="space-y-2" aria-label="Probability of each label">
      {(["Real", "Fake"] as const).map((label) => {
        const value = probabilities[label] ?? 0;
        return (
          <div key={label} className="grid grid-cols-[3rem_1fr_3rem] items-center gap-2 text-sm">
            <dt>{label}</dt>
            <dd className="h-2.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
              <div
                className="h-full rounded-full"
                style={{ width: percent(value), backgroundColor: LABEL_HEX[label] }}
              />
            </dd>
            <dd className="text-right tabular-nums" data-testid={`probability-${label}`}>
              {percent(value)}
            </dd>
          </div>
        );
      })}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Fake when the fake probability is at least {percent(threshold)}.
      </p>
    </dl>
  );
}
