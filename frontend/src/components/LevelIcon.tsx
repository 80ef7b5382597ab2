import { LEVELS, type Level } from "../lib/levels";

interface Props {
  level: Level;
  size: number;
  /** Position inside a parent SVG (face boxes, charts); omitted in HTML. */
  x?: number;
  y?: number;
  className?: string;
}

// A distinct shape per level (circle, triangle, octagon, open circle) with its own mark,
// so the level reads without colour. Drawn in the level's colour with a dark mark on
// amber and a white one on the others, which keeps each mark legible on the shape.
const SHAPES: Record<Level, { body: string; mark: string; markColor: string; outline?: boolean }> = {
  authentic: { body: "M10 1a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", mark: "M5.5 10.2l3 3l6-6.4", markColor: "#fff" },
  suspicious: { body: "M10 1.2l9 16.6H1z", mark: "M10 6.8v5.2M10 14.6v.4", markColor: "#1c1917" },
  manipulated: {
    body: "M6.3 1h7.4L19 6.3v7.4L13.7 19H6.3L1 13.7V6.3z",
    mark: "M6.6 6.6l6.8 6.8M13.4 6.6l-6.8 6.8",
    markColor: "#fff",
  },
  not_applicable: {
    body: "M10 2.2a7.8 7.8 0 1 0 0 15.6a7.8 7.8 0 1 0 0-15.6z",
    mark: "M6 10h8",
    markColor: "",
    outline: true,
  },
};

export function LevelIcon({ level, size, x, y, className }: Props) {
  const shape = SHAPES[level];
  const color = LEVELS[level].hex;
  return (
    <svg
      viewBox="0 0 20 20"
      width={size}
      height={size}
      x={x}
      y={y}
      aria-hidden="true"
      focusable="false"
      className={className}
      data-testid="level-icon"
      data-shape={LEVELS[level].shape}
    >
      <path
        d={shape.body}
        fill={shape.outline ? "none" : color}
        stroke={shape.outline ? color : "#0f172a"}
        strokeWidth={shape.outline ? 2.4 : 0.8}
        strokeOpacity={shape.outline ? 1 : 0.35}
      />
      <path d={shape.mark} fill="none" stroke={shape.markColor || color} strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
