import { percent } from "../lib/format";

interface Props {
  value: number;
  color: string;
  label: string;
}

/** A half-circle gauge of a 0..1 value. */
export function Gauge({ value, color, label }: Props) {
  const clamped = Math.min(1, Math.max(0, value));
  const length = Math.PI * 40;
  return (
    <figure className="flex flex-col items-center" aria-label={`${label}: ${percent(clamped)}`}>
      <svg viewBox="0 0 100 56" className="w-36" role="img" aria-hidden="true">
        <path
          d="M10 50 A40 40 0 0 1 90 50"
          fill="none"
          strokeWidth="10"
          strokeLinecap="round"
          className="stroke-slate-200 dark:stroke-slate-700"
        />
        <path
          d="M10 50 A40 40 0 0 1 90 50"
          fill="none"
          stroke={color}
          strokeWidth="10"
          strokeLinecap="round"
          strokeDasharray={`${clamped * length} ${length}`}
        />
        <text x="50" y="48" textAnchor="middle" className="fill-current text-[18px] font-semibold">
          {percent(clamped)}
        </text>
      </svg>
      <figcaption className="text-xs text-slate-500 dark:text-slate-400">{label}</figcaption>
    </figure>
  );
}
