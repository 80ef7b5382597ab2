import { useId } from "react";
import type { Prediction } from "../api/client";
import { percent } from "../lib/format";
import { METHODS, drawable, isExplained, type MapMethod, type MapsShown } from "../lib/heatmaps";
import type { MapRequest } from "../useAnalysis";
import { ErrorNotice } from "./ErrorNotice";

/** The page's heatmap settings and what asking for maps has come to. */
export interface HeatmapSettings {
  shown: boolean;
  /** 0..1, laid over the maps' own transparency. */
  opacity: number;
  method: MapMethod;
  request: MapRequest;
  /** Why this server draws no heatmaps, once it has said so. */
  refused: string | null;
  onShow: (on: boolean) => void;
  onOpacity: (opacity: number) => void;
  onMethod: (method: MapMethod) => void;
  onRetry: () => void;
}

interface Props {
  prediction: Prediction;
  settings: HeatmapSettings;
  maps: MapsShown;
}

/** What asking for maps is doing, then what came of it: said aloud as it changes. */
function progressText(request: MapRequest, maps: MapsShown, video: boolean, showing: boolean): string {
  if (request.loading) {
    return request.progress < 1 ? `Sending the file again for heatmaps… ${percent(request.progress)}` : "Drawing heatmaps…";
  }
  if (!showing) return "";
  const drawn = drawable(maps.entries).length;
  const total = maps.entries.length;
  if (video) return total ? `${drawn} of ${total} mapped moments show localised evidence; each shows when the video reaches it.` : "No heatmap drawn.";
  const faces = maps.entries.filter((entry) => entry.box.startsWith("face-")).length;
  if (!faces) return drawn ? "Heatmap drawn." : "No heatmap drawn.";
  return `${drawn} of ${faces} ${faces === 1 ? "face has" : "faces have"} a localised heatmap.`;
}

function about(explained: boolean, refused: string | null): string {
  if (refused !== null && !explained) return `This server draws no heatmaps: ${refused}`;
  if (explained) return "Where in each face the model found its evidence; the legend is below.";
  return "Shows where in each face the model found its evidence. Lopt analyses the file again to draw them, so it takes as long as the first time.";
}

/** Above the media: the heatmap switch, its opacity and method, and how asking for maps goes. */
export function HeatmapControls({ prediction, settings, maps }: Props) {
  const ids = useId();
  const explained = isExplained(prediction);
  const showing = settings.shown && explained;
  const { request, refused } = settings;
  const shownPercent = Math.round(settings.opacity * 100);
  return (
    <div role="group" aria-label="Heatmap" className="space-y-1" data-testid="heatmap-controls">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <label className="flex items-center gap-2 font-semibold">
          <input
            type="checkbox"
            role="switch"
            checked={settings.shown}
            disabled={refused !== null && !explained}
            onChange={(event) => settings.onShow(event.currentTarget.checked)}
            aria-describedby={`${ids}-about`}
            className="h-4 w-4 accent-sky-600"
          />
          Show heatmap
        </label>
        {showing && drawable(maps.entries).length > 0 ? (
          <div className="flex items-center gap-2">
            <label htmlFor={`${ids}-opacity`}>Heatmap opacity</label>
            <input
              id={`${ids}-opacity`}
              type="range"
              min={0}
              max={100}
              step={5}
              value={shownPercent}
              aria-valuetext={`${shownPercent}%`}
              onChange={(event) => settings.onOpacity(Number(event.currentTarget.value) / 100)}
              className="w-32 accent-sky-600"
            />
            <span aria-hidden="true" className="w-10 tabular-nums">{shownPercent}%</span>
          </div>
        ) : null}
        {showing && maps.methods.length > 1 ? (
          <fieldset className="flex items-center gap-3">
            <legend className="sr-only">Map method</legend>
            {maps.methods.map((option) => (
              <label key={option} className="flex items-center gap-1">
                <input
                  type="radio"
                  name={`${ids}-method`}
                  checked={option === maps.method}
                  onChange={() => settings.onMethod(option)}
                  className="accent-sky-600"
                />
                {METHODS[option].name}
              </label>
            ))}
          </fieldset>
        ) : null}
      </div>
      <p id={`${ids}-about`} className="text-xs text-slate-700 dark:text-slate-300">
        {about(explained, refused)}
      </p>
      <p aria-live="polite" className="text-sm empty:hidden" data-testid="heatmap-progress">
        {progressText(request, maps, prediction.type === "video", showing)}
      </p>
      {request.error && refused === null ? <ErrorNotice error={request.error} onRetry={settings.onRetry} /> : null}
    </div>
  );
}
