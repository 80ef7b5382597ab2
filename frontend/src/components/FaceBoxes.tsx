import type { FaceScore } from "../api/client";
import { percent } from "../lib/format";
import { LABEL_HEX } from "../lib/verdict";

export interface DrawnBox {
  key: string;
  box: FaceScore["box"];
  color: string;
  dash?: string;
  caption: string;
}

export function boxesForFaces(faces: FaceScore[]): DrawnBox[] {
  return faces.map((face, index) => ({
    key: `face-${index}`,
    box: face.box,
    color: face.judged && face.label ? LABEL_HEX[face.label] : "#94a3b8",
    dash: face.judged ? undefined : "4 3",
    caption: face.judged
      ? `Face ${index + 1}: ${face.label} ${percent(face.confidence ?? 0)}`
      : `Face ${index + 1}: too small to judge`,
  }));
}

interface Props {
  boxes: DrawnBox[];
  width: number;
  height: number;
}

/** Boxes in the media's own pixels, laid over it with a matching viewBox. */
export function FaceBoxes({ boxes, width, height }: Props) {
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 300));
  const font = Math.max(12, Math.round(Math.max(width, height) / 45));
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      className="pointer-events-none absolute inset-0 h-full w-full"
      role="img"
      aria-label={boxes.map((box) => box.caption).join("; ") || "No face found"}
      data-testid="face-boxes"
    >
      {boxes.map(({ key, box, color, dash, caption }) => (
        <g key={key} data-testid="face-box">
          <rect
            x={box.x1}
            y={box.y1}
            width={box.x2 - box.x1}
            height={box.y2 - box.y1}
            fill="none"
            stroke={color}
            strokeWidth={stroke}
            strokeDasharray={dash}
          />
          <text
            x={box.x1}
            y={Math.max(font, box.y1 - stroke * 2)}
            fill={color}
            stroke="#0f172a"
            strokeWidth={font / 8}
            paintOrder="stroke"
            fontSize={font}
            fontWeight="600"
          >
            {caption}
          </text>
        </g>
      ))}
    </svg>
  );
}
