// Heatmaps in a verdict: which faces and frames carry one, in one place for every component.
import type { Heatmap, Prediction } from "../api/client";
import { seconds } from "./format";
import { framesAt } from "./series";
import type { MediaKind } from "./validate";

export type MapMethod = Heatmap["method"];

export const METHODS: Record<MapMethod, { name: string; says: string }> = {
  "grad-cam": {
    name: "Grad-CAM",
    says: "where the model's evidence for “fake” lies",
  },
  "attention-rollout": {
    name: "Attention rollout",
    says: "where the model attended, whatever it concluded (not specific to “fake”)",
  },
};

/** A face, person's frame or whole image that was judged with explain=true. */
export interface MapEntry {
  key: string;
  /** The key of the face box (FaceBoxes) the map belongs to. */
  box: string;
  who: string;
  /** Video frames: the moment the map belongs to. */
  time?: number;
  /** Null: this face got no map (it was not judged). */
  heatmap: Heatmap | null;
}

/** A localised map, the only kind drawn. */
export interface DrawnMap {
  key: string;
  box: string;
  who: string;
  heatmap: Heatmap & { image: string };
}

/** What the page shows of a verdict's maps at one moment. */
export interface MapsShown {
  /** Methods the verdict has maps of, and the one shown (the wanted one when it has it). */
  methods: MapMethod[];
  method: MapMethod;
  /** Photos: every face. Videos: every frame with a map. */
  entries: MapEntry[];
  /** Keys of the entries at this moment (a photo's are all of them). */
  now: Set<string>;
  /** The maps to lay over the media now. */
  onScreen: DrawnMap[];
}

interface Explained {
  heatmap?: Heatmap | null;
  attention_map?: Heatmap | null;
}

export function mapOf(item: Explained, method: MapMethod): Heatmap | null {
  return (method === "attention-rollout" ? item.attention_map : item.heatmap) ?? null;
}

/** Every map-carrying item of a verdict, whichever the method. */
function explainedItems(prediction: Prediction): Explained[] {
  return [
    prediction,
    ...(prediction.faces ?? []),
    ...(prediction.tracks ?? []).flatMap((track) => track.frames),
  ];
}

/** The methods this verdict has maps of, Grad-CAM first. */
export function methodsIn(prediction: Prediction): MapMethod[] {
  const items = explainedItems(prediction);
  return (Object.keys(METHODS) as MapMethod[]).filter((method) => items.some((item) => mapOf(item, method)));
}

/** Whether the verdict was asked for with explain=true (it may still hold no map). */
export function isExplained(prediction: Prediction | null): boolean {
  return Boolean(prediction?.explanation);
}

/** A photo's faces, each with its map or none, then the whole image's map if it has one. */
export function photoEntries(prediction: Prediction, method: MapMethod): MapEntry[] {
  const faces = (prediction.faces ?? []).map((face, index) => ({
    key: `face-${index}`,
    box: `face-${index}`,
    who: `Face ${index + 1}`,
    heatmap: face.judged ? mapOf(face, method) : null,
  }));
  const whole = mapOf(prediction, method);
  return whole ? [...faces, { key: "whole", box: "whole", who: "Whole image", heatmap: whole }] : faces;
}

/** A video's frames that carry a map (each person's most suspicious ones), person by person. */
export function videoEntries(prediction: Prediction, method: MapMethod): MapEntry[] {
  return (prediction.tracks ?? []).flatMap((track, index) =>
    track.frames
      .flatMap((frame) => {
        const heatmap = mapOf(frame, method);
        const key = `track-${track.track_id}-${frame.frame_index}`;
        return heatmap ? [{ key, box: `track-${track.track_id}`, who: `Person ${index + 1}`, time: frame.time_s, heatmap }] : [];
      })
      .sort((a, b) => a.time - b.time),
  );
}

/** What a map shows, in words: the text alternative of the overlay. */
export function mapText(entry: MapEntry): string {
  const at = entry.time === undefined ? "" : ` at ${seconds(entry.time)}`;
  if (!entry.heatmap) return `${entry.who}${at}: not judged, so no heatmap`;
  if (!entry.heatmap.localised || !entry.heatmap.image) return `${entry.who}${at}: no localised evidence`;
  const share = Math.round(entry.heatmap.concentration * 100);
  return `${entry.who}${at}: heatmap drawn, ${share}% of its evidence in the hottest 15% of the area`;
}

/** The maps to draw: only localised ones have an image; the rest would be a fake hot spot. */
export function drawable(entries: MapEntry[]): DrawnMap[] {
  return entries.flatMap((entry) =>
    entry.heatmap?.localised && entry.heatmap.image
      ? [{ key: entry.key, box: entry.box, who: entry.who, heatmap: { ...entry.heatmap, image: entry.heatmap.image } }]
      : [],
  );
}

/** A verdict's maps of the wanted method: every entry for the panel, those at ``time`` for the overlay. */
export function mapsAt(prediction: Prediction | null, kind: MediaKind, time: number, wanted: MapMethod): MapsShown {
  const methods = prediction ? methodsIn(prediction) : [];
  const method = methods.includes(wanted) ? wanted : methods[0] ?? wanted;
  if (prediction === null) return { methods, method, entries: [], now: new Set<string>(), onScreen: [] };
  if (kind === "image") {
    const entries = photoEntries(prediction, method);
    return { methods, method, entries, now: new Set(entries.map((entry) => entry.key)), onScreen: drawable(entries) };
  }
  const entries = videoEntries(prediction, method);
  const now = new Set(framesAt(prediction, time).map(({ track, frame }) => `track-${track.track_id}-${frame.frame_index}`));
  return { methods, method, entries, now, onScreen: drawable(entries.filter((entry) => now.has(entry.key))) };
}
