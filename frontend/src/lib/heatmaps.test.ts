import { describe, expect, it } from "vitest";
import { explainedPhoto, explainedVideo, heatmapOver, imagePrediction } from "../test/fixtures";
import { drawable, isExplained, mapsAt } from "./heatmaps";

describe("heatmaps", () => {
  it("draws only localised maps: a flat one scaled to its maximum would look like a hot spot", () => {
    const flat = { ...heatmapOver({ x1: 0, y1: 0, x2: 10, y2: 10 }), localised: false };
    expect(drawable([{ key: "a", box: "face-0", who: "Face 1", heatmap: flat }])).toEqual([]);
    expect(drawable([{ key: "b", box: "face-1", who: "Face 2", heatmap: heatmapOver({ x1: 0, y1: 0, x2: 10, y2: 10 }) }])).toHaveLength(1);
    expect(drawable([{ key: "c", box: "face-2", who: "Face 3", heatmap: null }])).toEqual([]);
  });

  it("shows the method the verdict has when the wanted one is missing", () => {
    const shown = mapsAt(explainedPhoto(), "image", 0, "attention-rollout");
    expect(shown.methods).toEqual(["grad-cam"]);
    expect(shown.method).toBe("grad-cam");
    expect(shown.onScreen.map((map) => map.who)).toEqual(["Face 1"]);
  });

  it("puts a video's map on screen within half a sampling step of its frame only", () => {
    const video = explainedVideo(); // 4 s, 4 sampled frames: half a step is 0.5 s
    expect(mapsAt(video, "video", 2.4, "grad-cam").onScreen.map((map) => map.who)).toEqual(["Person 1"]);
    expect(mapsAt(video, "video", 2.6, "grad-cam").onScreen).toEqual([]);
    // Person by person, each in time order.
    expect(mapsAt(video, "video", 0, "grad-cam").entries.map((entry) => `${entry.who} ${entry.time}`)).toEqual(["Person 1 2", "Person 2 1"]);
  });

  it("tells an explained verdict from one asked for without maps", () => {
    expect(isExplained(imagePrediction())).toBe(false);
    expect(isExplained(explainedPhoto())).toBe(true);
    expect(isExplained(null)).toBe(false);
  });
});
