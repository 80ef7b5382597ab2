import type { DrawnMap } from "../lib/heatmaps";
import { Overlay } from "./Overlay";

interface Props {
  maps: DrawnMap[];
  width: number;
  height: number;
  opacity: number;
}

/** Each localised map stretched over the crop the model saw, in the media's own pixels.
 * Hidden from screen readers: the heatmap panel says the same in words. */
export function HeatmapLayer({ maps, width, height, opacity }: Props) {
  return (
    <Overlay width={width} height={height} aria-hidden="true" style={{ opacity }} data-testid="heatmaps">
      {maps.map(({ key, who, heatmap }) => (
        <image
          key={key}
          href={heatmap.image}
          x={heatmap.box.x1}
          y={heatmap.box.y1}
          width={heatmap.box.x2 - heatmap.box.x1}
          height={heatmap.box.y2 - heatmap.box.y1}
          preserveAspectRatio="none"
          data-testid="heatmap"
          data-who={who}
        />
      ))}
    </Overlay>
  );
}
