import { useRef, useState } from "react";
import type { Prediction } from "../api/client";
import type { MediaKind } from "../lib/validate";
import { mapsAt } from "../lib/heatmaps";
import { levelOf, scoreName } from "../lib/levels";
import { framesAt } from "../lib/series";
import { FaceBoxes, boxesForFaces, levelCaption, type DrawnBox } from "./FaceBoxes";
import { HeatmapControls, type HeatmapSettings } from "./HeatmapControls";
import { HeatmapKey } from "./HeatmapKey";
import { HeatmapLayer } from "./HeatmapLayer";
import { Timeline } from "./Timeline";

interface Props {
  url: string;
  kind: MediaKind;
  name: string;
  prediction: Prediction | null;
  /** The heatmap switch and settings; without them the page offers no heatmaps. */
  heatmaps?: HeatmapSettings;
}

/** Boxes of each person at the sampled frame nearest to ``time``, in the level that frame's
 * score falls in (the band it lies in on the timeline). */
function boxesAt(prediction: Prediction, time: number): DrawnBox[] {
  return framesAt(prediction, time).map(({ track, index, frame }) => {
    const score = frame.fake_probability;
    const level = track.judged && score != null ? levelOf(score, prediction.bands) : null;
    return { key: `track-${track.track_id}`, box: frame.box, level, caption: levelCaption(`Person ${index + 1}`, level, score) };
  });
}

export function MediaView({ url, kind, name, prediction, heatmaps }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [unplayable, setUnplayable] = useState(false);
  const maps = mapsAt(prediction, kind, time, heatmaps?.method ?? "grad-cam");
  const drawn = heatmaps?.shown ? maps.onScreen : [];
  // Captions step aside from the maps, whose hot spots often lie where a caption would.
  const clear = new Map(drawn.map((map) => [map.box, map.heatmap.box]));
  const boxes = (
    prediction === null ? [] : kind === "image" ? boxesForFaces(prediction.faces ?? []) : boxesAt(prediction, time)
  ).map((box) => ({ ...box, clear: clear.get(box.key) }));

  const seek = (seconds: number) => {
    const player = video.current;
    setTime(seconds);
    if (!player) return;
    // Before its metadata is in, a video ignores seeks: apply it once it can.
    if (player.readyState >= HTMLMediaElement.HAVE_METADATA) player.currentTime = seconds;
    else player.addEventListener("loadedmetadata", () => (player.currentTime = seconds), { once: true });
  };

  return (
    <div className="space-y-4">
      {prediction && heatmaps ? <HeatmapControls prediction={prediction} settings={heatmaps} maps={maps} /> : null}
      <div className="relative mx-auto w-fit max-w-full overflow-hidden rounded-xl bg-slate-900">
        {kind === "image" ? (
          <img
            src={url}
            alt={`Preview of ${name}`}
            className="block max-h-[60vh] w-auto max-w-full"
            onError={() => setUnplayable(true)}
          />
        ) : (
          <video
            ref={video}
            src={url}
            controls
            muted
            playsInline
            aria-label={`Preview of ${name}`}
            className="block max-h-[60vh] w-auto max-w-full"
            onTimeUpdate={(event) => setTime(event.currentTarget.currentTime)}
            onSeeked={(event) => setTime(event.currentTarget.currentTime)}
            onError={() => setUnplayable(true)}
            data-testid="video"
          />
        )}
        {prediction && heatmaps && drawn.length > 0 ? (
          <HeatmapLayer maps={drawn} width={prediction.media.width} height={prediction.media.height} opacity={heatmaps.opacity} />
        ) : null}
        {prediction && boxes.length > 0 ? (
          <FaceBoxes
            boxes={boxes}
            width={prediction.media.width}
            height={prediction.media.height}
            scoreName={scoreName(prediction.calibrated).toLowerCase()}
          />
        ) : null}
      </div>
      {prediction?.explanation && heatmaps?.shown ? (
        <HeatmapKey prediction={prediction} maps={maps} opacity={heatmaps.opacity} onSeek={kind === "video" ? seek : undefined} />
      ) : null}
      {unplayable ? (
        <p role="note" className="text-sm text-slate-500 dark:text-slate-400">
          This browser cannot show {name} ({kind === "image" ? "image" : "video"} format); Lopt
          analysed it all the same, and the scores are above{kind === "video" ? " and below" : ""}.
        </p>
      ) : null}
      {prediction?.type === "video" ? <Timeline prediction={prediction} currentTime={time} onSeek={seek} /> : null}
    </div>
  );
}
