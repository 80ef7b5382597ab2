import type { KeyboardEvent, MouseEvent } from "react";
import type { Prediction } from "../api/client";
import { percent, seconds } from "../lib/format";
import { timelineEnd, timelineSeries } from "../lib/series";

const W = 640;
const H = 180;
const PAD = { left: 36, right: 12, top: 12, bottom: 24 };

interface Props {
  prediction: Prediction;
  currentTime: number;
  onSeek: (time: number) => void;
}

/** Fake probability over time, one line per person; clicking a moment seeks the video. */
export function Timeline({ prediction, currentTime, onSeek }: Props) {
  const end = timelineEnd(prediction);
  const series = timelineSeries(prediction);
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
        Fake probability over time <span className="font-normal text-slate-500">(click to seek)</span>
      </h3>
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full cursor-crosshair select-none" onClick={seekAt}>
        {[0, 0.5, 1].map((tick) => (
          <g key={tick} className="text-slate-400">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} stroke="currentColor" strokeOpacity="0.25" />
            <text x={PAD.left - 4} y={y(tick) + 4} textAnchor="end" fontSize="10" fill="currentColor">{percent(tick)}</text>
          </g>
        ))}
        <line
          x1={PAD.left} x2={W - PAD.right} y1={y(prediction.threshold)} y2={y(prediction.threshold)}
          stroke="#f43f5e" strokeDasharray="4 4" strokeOpacity="0.7"
        />
        {(prediction.clips ?? []).map((clip) => (
          <rect
            key={`clip-${clip.index}`} data-testid="clip"
            x={x(clip.start_s)} y={y(clip.fake_probability)}
            width={Math.max(2, x(clip.end_s) - x(clip.start_s))} height={y(0) - y(clip.fake_probability)}
            fill={clip.label === "Fake" ? "#f43f5e" : "#10b981"} fillOpacity="0.15"
          >
            <title>{`Clip ${clip.index + 1}, ${seconds(clip.start_s)}–${seconds(clip.end_s)}: ${percent(clip.fake_probability)} fake`}</title>
          </rect>
        ))}
        {series.map((line) => (
          <g key={line.key} data-testid="timeline-series">
            <polyline
              fill="none" stroke={line.color} strokeWidth="2" strokeDasharray={line.dash}
              points={line.points.map((p) => `${x(p.time)},${y(p.probability)}`).join(" ")}
            />
            {line.points.map((p) => (
              <circle
                key={p.time} cx={x(p.time)} cy={y(p.probability)} r="4" fill={line.color}
                tabIndex={0} role="button" className="focus:outline-none focus-visible:stroke-sky-500 focus-visible:stroke-[3]"
                aria-label={`${line.name} at ${seconds(p.time)}: ${percent(p.probability)} fake. Press Enter to seek.`}
                onKeyDown={seekKey(p.time)}
              />
            ))}
          </g>
        ))}
        <line x1={x(currentTime)} x2={x(currentTime)} y1={PAD.top} y2={y(0)} stroke="#0ea5e9" strokeWidth="1.5" data-testid="playhead" />
        <text x={W - PAD.right} y={H - 6} textAnchor="end" fontSize="10" fill="currentColor" className="text-slate-400">{seconds(end)}</text>
        <text x={PAD.left} y={H - 6} fontSize="10" fill="currentColor" className="text-slate-400">0 s</text>
      </svg>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
        {series.map((line) => (
          <li key={line.key} className="flex items-center gap-1.5">
            <svg width="24" height="8" aria-hidden="true">
              <line x1="0" x2="24" y1="4" y2="4" stroke={line.color} strokeWidth="3" strokeDasharray={line.dash} />
            </svg>
            {line.name}: {line.verdict}
          </li>
        ))}
        {prediction.clips?.length ? <li>Shaded: whole-clip scores</li> : null}
        <li className="text-rose-500">Dashed red: threshold ({percent(prediction.threshold)})</li>
      </ul>
    </section>
  );
}
