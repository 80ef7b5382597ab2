import type { KeyboardEvent, MouseEvent } from "react";
import type { Prediction } from "../api/client";
import { percent, seconds } from "../lib/format";
import { LEVELS, REFERENCE_ONLY, bandRanges, scoreName } from "../lib/levels";
import { timelineEnd, timelineSeries } from "../lib/series";
import { LevelIcon } from "./LevelIcon";

const W = 640;
const H = 200;
const PAD = { left: 40, right: 12, top: 12, bottom: 24 };
const HEATMAP_SAYS = { drawn: " Has a heatmap.", not_localised: " Has a heatmap: no localised evidence.", none: "" };

interface Props {
  prediction: Prediction;
  currentTime: number;
  onSeek: (time: number) => void;
}

/** Score ticks: the level edges first, then both ends, leaving out any that would overlap. */
function ticks(edges: number[]): number[] {
  const chosen: number[] = [];
  for (const tick of [...edges, 0, 1]) {
    if (chosen.every((other) => Math.abs(other - tick) >= 0.08)) chosen.push(tick);
  }
  return chosen.sort((a, b) => a - b);
}

/** Fake probability over time, one line per person over the levels' bands; clicking a
 * moment seeks the video. */
export function Timeline({ prediction, currentTime, onSeek }: Props) {
  const end = timelineEnd(prediction);
  const series = timelineSeries(prediction);
  const applicable = prediction.verdict !== "not_applicable";
  const bands = applicable ? bandRanges(prediction.bands) : [];
  const name = scoreName(prediction.calibrated);
  const x = (time: number) => PAD.left + (time / end) * (W - PAD.left - PAD.right);
  const y = (p: number) => PAD.top + (1 - p) * (H - PAD.top - PAD.bottom);

  const seekAt = (event: MouseEvent<SVGSVGElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const viewX = ((event.clientX - rect.left) / rect.width) * W;
    const time = ((viewX - PAD.left) / (W - PAD.left - PAD.right)) * end;
    onSeek(Math.min(end, Math.max(0, time)));
  };
  const seekKey = (time: number) => (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSeek(time);
    }
  };

  return (
    <section aria-labelledby="timeline-heading" className="space-y-2" data-testid="timeline">
      <h3 id="timeline-heading" className="text-sm font-semibold">
        {name} over time{prediction.calibrated ? "" : " (not calibrated)"}
        {applicable ? null : <span className="font-semibold">: {REFERENCE_ONLY}</span>}{" "}
        <span className="font-normal text-slate-600 dark:text-slate-400">(click to seek)</span>
      </h3>
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full cursor-crosshair select-none" onClick={seekAt}>
        {bands.map((band) => (
          <g key={band.level} data-testid={`band-${band.level}`}>
            <rect
              x={PAD.left} width={W - PAD.left - PAD.right}
              y={y(band.to)} height={Math.max(y(band.from) - y(band.to), band.to === band.from ? 1 : 0)}
              fill={LEVELS[band.level].hex} fillOpacity="0.18"
            />
            {y(band.from) - y(band.to) >= 14 ? (
              <text
                x={W - PAD.right - 4} y={y(band.to) + 12} textAnchor="end" fontSize="10" fontWeight="600"
                fill="currentColor" className={LEVELS[band.level].text}
              >
                {LEVELS[band.level].name}
              </text>
            ) : null}
          </g>
        ))}
        {ticks(applicable ? [prediction.bands.authentic_below, prediction.bands.manipulated_at] : []).map((tick) => (
          <g key={tick} className="text-slate-600 dark:text-slate-400">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} stroke="currentColor" strokeOpacity="0.3" />
            <text x={PAD.left - 4} y={y(tick) + 4} textAnchor="end" fontSize="10" fill="currentColor">{percent(tick)}</text>
          </g>
        ))}
        {(prediction.clips ?? []).map((clip) => (
          <line
            key={`clip-${clip.index}`} data-testid="clip" data-level={clip.verdict}
            x1={x(clip.start_s)} x2={Math.max(x(clip.start_s) + 2, x(clip.end_s))} y1={y(clip.fake_probability)} y2={y(clip.fake_probability)}
            stroke={LEVELS[clip.verdict].hex} strokeWidth="6" strokeOpacity="0.8"
          >
            <title>{`Clip ${clip.index + 1}, ${seconds(clip.start_s)}–${seconds(clip.end_s)}: ${LEVELS[clip.verdict].name} ${percent(clip.fake_probability)}`}</title>
          </line>
        ))}
        {series.map((line) => (
          <g key={line.key} data-testid="timeline-series" className={line.color}>
            <polyline
              fill="none" stroke="currentColor" strokeWidth="2.5" strokeDasharray={line.dash}
              points={line.points.map((p) => `${x(p.time)},${y(p.probability)}`).join(" ")}
            />
            {line.points.map((p) => (
              <g key={p.time}>
                {p.heatmap ? (
                  <circle
                    cx={x(p.time)} cy={y(p.probability)} r="8" fill="none" stroke="currentColor" strokeWidth="1.5"
                    strokeDasharray={p.heatmap === "drawn" ? undefined : "2 2"} data-testid="heatmap-mark" data-heatmap={p.heatmap}
                  />
                ) : null}
                <circle
                  cx={x(p.time)} cy={y(p.probability)} r="4" fill="currentColor"
                  tabIndex={0} role="button" className="focus:outline-none focus-visible:stroke-sky-500 focus-visible:stroke-[3]"
                  aria-label={`${line.name} at ${seconds(p.time)}: ${percent(p.probability)} ${name.toLowerCase()}.${HEATMAP_SAYS[p.heatmap ?? "none"]} Press Enter to seek.`}
                  onKeyDown={seekKey(p.time)}
                />
              </g>
            ))}
          </g>
        ))}
        <line
          x1={x(currentTime)} x2={x(currentTime)} y1={PAD.top} y2={y(0)}
          stroke="currentColor" strokeWidth="1.5" className="text-slate-900 dark:text-white" data-testid="playhead"
        />
        <g className="text-slate-600 dark:text-slate-400">
          <text x={W - PAD.right} y={H - 6} textAnchor="end" fontSize="10" fill="currentColor">{seconds(end)}</text>
          <text x={PAD.left} y={H - 6} fontSize="10" fill="currentColor">0 s</text>
        </g>
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" data-testid="timeline-legend">
        {series.map((line) => (
          <li key={line.key} className="flex items-center gap-1.5">
            <svg width="24" height="8" aria-hidden="true" className={line.color}>
              <line x1="0" x2="24" y1="4" y2="4" stroke="currentColor" strokeWidth="3" strokeDasharray={line.dash} />
            </svg>
            {line.name}:
            {line.level ? <LevelIcon level={line.level} size={12} /> : null}
            <span className={line.level ? `font-semibold ${LEVELS[line.level].text}` : undefined}>{line.summary}</span>
          </li>
        ))}
        {prediction.clips?.length ? <li>Thick bars: whole-clip scores</li> : null}
        {series.some((line) => line.points.some((p) => p.heatmap)) ? (
          <li data-testid="heatmap-marks-legend">Ringed points: frames with a heatmap (dashed: no localised evidence)</li>
        ) : null}
        {bands.length ? (
          <li className="text-slate-600 dark:text-slate-400">
            Shading: {bands.map((band) => `${LEVELS[band.level].name.toLowerCase()} ${band.text}`).join(", ")}
          </li>
        ) : null}
      </ul>
    </section>
  );
}
