import type { Analysis } from "../useAnalysis";
import { percent } from "../lib/format";
import { LEVELS } from "../lib/levels";
import { historyMarker } from "../lib/provenance";
import { LevelIcon } from "./LevelIcon";
import { ProvenanceIcon } from "./ProvenanceIcon";

function Outcome({ prediction }: { prediction: Analysis["prediction"] }) {
  if (!prediction) {
    return <span className="shrink-0 font-semibold text-slate-700 dark:text-slate-300">Failed</span>;
  }
  const style = LEVELS[prediction.verdict];
  const marker = historyMarker(prediction);
  return (
    <span className={`flex shrink-0 items-center gap-1 font-semibold ${style.text}`} data-level={prediction.verdict}>
      <LevelIcon level={prediction.verdict} size={14} />
      {style.name}
      {/* A not-applicable score is for reference only: it stays off the list. */}
      {/* A verdict decided by Content Credentials has no percentage of its own. */}
      {prediction.verdict === "not_applicable" || prediction.verdict_source === "provenance" ? null : (
        <span className="tabular-nums">{percent(prediction.fake_probability)}</span>
      )}
      {marker ? (
        <span title={marker.label} className={marker.ink}>
          <ProvenanceIcon mark={marker.mark} size={14} label={marker.label} />
        </span>
      ) : null}
    </span>
  );
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
        {items.map((item) => (
          <li key={item.id}>
            <button
              type="button"
              onClick={() => onSelect(item.id)}
              aria-current={item.id === current ? "true" : undefined}
              className="flex w-full items-center justify-between gap-2 rounded-lg px-3 py-2 text-left text-sm hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 aria-[current]:bg-slate-200 dark:hover:bg-slate-800 dark:aria-[current]:bg-slate-800"
            >
              <span className="truncate">{item.file.name}</span>
              <Outcome prediction={item.prediction} />
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
