import type { Prediction } from "../api/client";
import { seconds } from "../lib/format";
import { METHODS, drawable, mapText, type MapEntry, type MapMethod, type MapsShown } from "../lib/heatmaps";

interface Props {
  prediction: Prediction;
  maps: MapsShown;
  opacity: number;
  /** Videos: seek to a map's moment. */
  onSeek?: (time: number) => void;
}

// The server's colour ramp (lopt/explain/render.py): opacity rises with the evidence too.
const RAMP =
  "linear-gradient(to right, rgba(0,0,4,0), rgba(87,16,110,0.5), rgba(188,55,84,0.71), rgba(249,142,9,0.87), rgb(252,255,164))";

function Legend({ method, opacity }: { method: MapMethod; opacity: number }) {
  return (
    <figure className="space-y-1" data-testid="heatmap-legend">
      <div className="flex items-center gap-2 text-xs text-slate-700 dark:text-slate-300">
        <span>less</span>
        {/* Over grey, as over a photo, so the ramp's rising opacity shows. */}
        <div aria-hidden="true" className="h-3 w-40 overflow-hidden rounded-full bg-slate-400 ring-1 ring-slate-900/20 dark:ring-white/20">
          <div className="h-full w-full" style={{ background: RAMP, opacity }} />
        </div>
        <span>more</span>
      </div>
      <figcaption className="text-sm font-semibold">Heatmap: where the model looked — not proof of manipulation.</figcaption>
      <p className="max-w-prose text-xs text-slate-700 dark:text-slate-300">
        Brighter and more opaque: more of {METHODS[method].says}. Each map covers the square the
        model saw around a face and is scaled to its own strongest point, so compare places within
        one face, not faces with each other.
      </p>
    </figure>
  );
}

/** A video's maps, one row per person: a button per moment, which seeks there. */
function Moments({ entries, now, onSeek }: { entries: MapEntry[]; now: Set<string>; onSeek: (time: number) => void }) {
  const people = [...new Set(entries.map((entry) => entry.who))];
  return (
    <ul className="space-y-1" data-testid="heatmap-list">
      {people.map((who) => (
        <li key={who} className="flex flex-wrap items-center gap-1.5">
          <span className="font-medium">{who}:</span>
          {entries
            .filter((entry) => entry.who === who)
            .map((entry) => {
              const time = entry.time ?? 0;
              const flat = drawable([entry]).length === 0;
              return (
                <button
                  key={entry.key}
                  type="button"
                  onClick={() => onSeek(time)}
                  aria-label={`${mapText(entry)}. Go to this moment.`}
                  aria-current={now.has(entry.key) ? "true" : undefined}
                  data-testid="heatmap-entry"
                  data-drawn={!flat}
                  className="rounded-md px-2 py-0.5 tabular-nums ring-1 ring-slate-300 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 aria-[current]:bg-slate-800 aria-[current]:text-white dark:ring-slate-600 dark:hover:bg-slate-800 dark:aria-[current]:bg-slate-100 dark:aria-[current]:text-slate-900"
                >
                  {seconds(time)}
                  {flat ? ": no localised evidence" : ""}
                </button>
              );
            })}
        </li>
      ))}
    </ul>
  );
}

/** Below the media, while maps are shown: the legend, each face's map in words (the overlay's
 * text alternative), the server's note on missing maps, and which layer they come from. */
export function HeatmapKey({ prediction, maps, opacity, onSeek }: Props) {
  const { method, entries, now } = maps;
  const explanation = prediction.explanation;
  const flat = entries.some((entry) => entry.heatmap && drawable([entry]).length === 0);
  return (
    <section aria-label="Heatmap legend" className="space-y-2 rounded-xl p-3 text-sm ring-1 ring-slate-300 dark:ring-slate-700" data-testid="heatmap-key">
      {drawable(entries).length > 0 ? <Legend method={method} opacity={opacity} /> : null}
      {entries.length && onSeek ? (
        <>
          <p className="text-xs text-slate-700 dark:text-slate-300">
            Each person's most suspicious sampled frames have a map, laid over the video at that moment:
          </p>
          <Moments entries={entries} now={now} onSeek={onSeek} />
        </>
      ) : entries.length ? (
        <ul className="space-y-0.5" data-testid="heatmap-list">
          {entries.map((entry) => (
            <li key={entry.key} data-testid="heatmap-entry" data-drawn={drawable([entry]).length > 0}>
              {mapText(entry)}
            </li>
          ))}
        </ul>
      ) : null}
      {flat ? (
        <p className="text-xs text-slate-700 dark:text-slate-300">
          No localised evidence: the model's evidence is absent or spread evenly over that face, so no hot spot is drawn.
        </p>
      ) : null}
      {explanation?.note ? (
        <p role="note" className="rounded-lg bg-slate-100 p-2 dark:bg-slate-800" data-testid="heatmap-note">
          {explanation.note}
        </p>
      ) : null}
      {explanation?.layer ? (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          {method === "grad-cam" ? (
            <>
              Grad-CAM of layer <code className="font-mono">{explanation.layer}</code> of{" "}
            </>
          ) : (
            "Attention rollout through every attention layer of "
          )}
          <code className="font-mono">{explanation.model}</code> (float32 weights).
        </p>
      ) : null}
    </section>
  );
}
