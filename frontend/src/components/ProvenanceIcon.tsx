import type { Mark } from "../lib/provenance";

// One shape per kind of declaration, drawn in the text's colour beside the badge's words.
const MARKS: Record<Mark, { d: string; fill?: boolean }> = {
  sparkle: { d: "M10 1.5l2.2 6.3l6.3 2.2l-6.3 2.2L10 18.5l-2.2-6.3L1.5 10l6.3-2.2z", fill: true },
  "sparkle-outline": { d: "M10 2.5l2 5.5l5.5 2l-5.5 2l-2 5.5l-2-5.5l-5.5-2l5.5-2z" },
  shapes: { d: "M2.5 17.5l4.5-8l4.5 8zM14 2.5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7zM12 12h6v6h-6z" },
  pencil: { d: "M3 17l1-4.5L13.5 3L17 6.5L7.5 16zM11.5 5l3.5 3.5" },
  camera: { d: "M2 6.5h4l1.5-2.5h5L14 6.5h4V16H2zM10 8.5a3 3 0 1 0 0 6a3 3 0 1 0 0-6z" },
  "broken-seal": { d: "M9 2.2a7.8 7.8 0 1 0 2 0M11 2.2L8.5 7l3 2.5L9 13l2 4.8" },
  dash: { d: "M10 2.5a7.5 7.5 0 1 0 0 15a7.5 7.5 0 1 0 0-15zM6.5 10h7" },
};

interface Props {
  mark: Mark;
  size: number;
  /** A text alternative when the icon stands alone (history rows); beside words it is hidden. */
  label?: string;
  className?: string;
}

export function ProvenanceIcon({ mark, size, label, className }: Props) {
  const shape = MARKS[mark];
  return (
    <svg
      viewBox="0 0 20 20"
      width={size}
      height={size}
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : "true"}
      focusable="false"
      className={className}
      data-testid="provenance-icon"
      data-mark={mark}
    >
      <path
        d={shape.d}
        fill={shape.fill ? "currentColor" : "none"}
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
