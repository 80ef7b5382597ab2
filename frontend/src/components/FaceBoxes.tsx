import type { FaceScore } from "../api/client";
import { percent } from "../lib/format";
import { LEVELS, type Level } from "../lib/levels";
import { LevelIcon } from "./LevelIcon";
import { Overlay } from "./Overlay";

export interface DrawnBox {
  key: string;
  box: FaceScore["box"];
  /** The face's level, or null when it was not judged (drawn grey and dotted). */
  level: Level | null;
  caption: string;
  /** A region around the face the caption must not cover (the heatmap laid over it). */
  clear?: FaceScore["box"];
}

const NOT_JUDGED = { hex: "#94a3b8", dash: "3 4" };

/** A scored box's caption: its level by name and its fake probability. */
export function levelCaption(who: string, level: Level | null | undefined, probability: number | null | undefined): string {
  if (!level || probability == null) return `${who}: not judged`;
  return `${who}: ${LEVELS[level].name} ${percent(probability)}`;
}

export function boxesForFaces(faces: FaceScore[]): DrawnBox[] {
  return faces.map((face, index) => ({
    key: `face-${index}`,
    box: face.box,
    level: face.judged ? face.verdict ?? null : null,
    caption: face.judged
      ? levelCaption(`Face ${index + 1}`, face.verdict, face.fake_probability)
      : `Face ${index + 1}: too small to judge`,
  }));
}

interface Props {
  boxes: DrawnBox[];
  width: number;
  height: number;
  /** What the percentages are, for screen readers ("fake probability" or "raw score"). */
  scoreName: string;
}

/** Boxes in the media's own pixels, laid over it in an Overlay; each box in its
 * level's colour and stroke pattern, captioned with the level's icon and name. */
export function FaceBoxes({ boxes, width, height, scoreName }: Props) {
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 300));
  const font = Math.max(12, Math.round(Math.max(width, height) / 45));
  const label = boxes.length
    ? `Faces with their level and ${scoreName}: ${boxes.map((box) => box.caption).join("; ")}`
    : "No face found";
  return (
    <Overlay width={width} height={height} role="img" aria-label={label} data-testid="face-boxes">
      {boxes.map(({ key, box, level, caption, clear }) => {
        const look = level ? { hex: LEVELS[level].hex, dash: LEVELS[level].dash } : NOT_JUDGED;
        // A dark chip behind the caption keeps it legible on any photo; its width is an
        // estimate (SVG text cannot be measured before layout), kept inside the image.
        const pad = font * 0.25;
        const icon = level ? font * 1.15 : 0;
        const chipWidth = icon + caption.length * font * 0.66 + pad * 2;
        const chipHeight = font * 1.35;
        const left = Math.max(0, Math.min(box.x1, width - chipWidth));
        const around = clear ?? box;
        const top =
          around.y1 - chipHeight >= 0 ? around.y1 - chipHeight : around.y2 <= height - chipHeight ? around.y2 : box.y1;
        return (
          <g key={key} data-testid="face-box" data-level={level ?? "not_judged"}>
            <rect
              x={box.x1}
              y={box.y1}
              width={box.x2 - box.x1}
              height={box.y2 - box.y1}
              fill="none"
              stroke={look.hex}
              strokeWidth={stroke}
              strokeDasharray={look.dash ? look.dash.split(" ").map((n) => Number(n) * (stroke / 2)).join(" ") : undefined}
            />
            <rect x={left} y={top} width={chipWidth} height={chipHeight} rx={pad} fill="#0f172a" fillOpacity="0.8" data-testid="face-caption" />
            {level ? <LevelIcon level={level} size={font} x={left + pad} y={top + (chipHeight - font) / 2} /> : null}
            <text x={left + pad + icon} y={top + chipHeight / 2} dominantBaseline="central" fill={look.hex} fontSize={font} fontWeight="600">
              {caption}
            </text>
          </g>
        );
      })}
    </Overlay>
  );
}
