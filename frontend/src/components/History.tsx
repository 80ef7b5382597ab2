import type { Analysis } from "../useAnalysis";
import { percent } from "../lib/format";
import { TONE_CLASSES, headline, toneOf } from "../lib/verdict";

function historyLabel(prediction: NonNullable<Analysis["prediction"]>): string {
  const verdict = `${prediction.label} ${percent(prediction.confidence)}`;
  return prediction.status === "ok" ? verdict : `${headline(prediction)} · ${verdict}`;
}

interface Props {
  items: Analysis[];
  current: string | null;
  onSelect: (id: string) => void;
}

/** This session's verdicts, newest first; kept in memory only. */
export function History({ items, current, onSelect }: Props) {
  if (items.length === 0) return null;
  return (
    <nav aria-labelledby="history-heading">
      <h2 id="history-heading" className="mb-2 text-sm font-semibold">This session</h2>
      <ul className="space-y-1" data-testid="history">
        {items.map((item) => {
          const tone = item.prediction ? TONE_CLASSES[toneOf(item.prediction)] : TONE_CLASSES.fake;
          return (
            <li key={item.id}>
              <button
                type="button"
                onClick={() => onSelect(item.id)}
                aria-current={item.id === current ? "true" : undefined}
                className="flex w-full items-center justify-between gap-2 rounded-lg px-3 py-2 text-left text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 aria-[current]:bg-slate-200 dark:hover:bg-slate-800 dark:aria-[current]:bg-slate-800"
              >
                <span className="truncate">{item.file.name}</span>
                <span className={`shrink-0 font-semibold ${tone.text}`}>
                  {item.prediction ? historyLabel(item.prediction) : "Error"}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
