import { useRef, useState } from "react";
import type { Prediction } from "../api/client";
import type { MediaKind } from "../lib/validate";
import { levelOf, scoreName } from "../lib/levels";
import { timelineEnd } from "../lib/series";
import { FaceBoxes, boxesForFaces, levelCaption, type DrawnBox } from "./FaceBoxes";
import { Timeline } from "./Timeline";

interface Props {
  url: string;
  kind: MediaKind;
  name: string;
  prediction: Prediction | null;
}

/** Boxes of each person at the sampled frame nearest to ``time``, in the level that frame's
 * score falls in (the band it lies in on the timeline). */
function boxesAt(prediction: Prediction, time: number): DrawnBox[] {
  const window = timelineEnd(prediction) / Math.max(1, prediction.media.sampled_frames ?? 16) / 2;
  return (prediction.tracks ?? []).flatMap((track, index) => {
    const nearest = track.frames.reduce<(typeof track.frames)[number] | null>(
      (best, frame) =>
        best === null || Math.abs(frame.time_s - time) < Math.abs(best.time_s - time) ? frame : best,
      null,
    );
    if (nearest === null || Math.abs(nearest.time_s - time) > window) return [];
    const score = nearest.fake_probability;
    const level = track.judged && score != null ? levelOf(score, prediction.bands) : null;
    return [{ key: `track-${track.track_id}`, box: nearest.box, level, caption: levelCaption(`Person ${index + 1}`, level, score) }];
  });
}

export function MediaView({ url, kind, name, prediction }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [unplayable, setUnplayable] = useState(false);
  const boxes =
    prediction === null ? [] : kind === "image" ? boxesForFaces(prediction.faces ?? []) : boxesAt(prediction, time);

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
        {prediction && boxes.length > 0 ? (
          <FaceBoxes
            boxes={boxes}
            width={prediction.media.width}
            height={prediction.media.height}
            scoreName={scoreName(prediction.calibrated).toLowerCase()}
          />
        ) : null}
      </div>
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
