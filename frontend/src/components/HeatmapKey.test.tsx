import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mapsAt } from "../lib/heatmaps";
import { explainedPhoto, imagePrediction } from "../test/fixtures";
import { HeatmapKey } from "./HeatmapKey";

describe("HeatmapKey", () => {
  it("says in plain words what the map is and is not, and each face's map in words", () => {
    const photo = explainedPhoto();
    render(<HeatmapKey prediction={photo} maps={mapsAt(photo, "image", 0, "grad-cam")} opacity={0.7} />);
    expect(screen.getByRole("region", { name: "Heatmap legend" })).toBeInTheDocument();
    const legend = screen.getByTestId("heatmap-legend");
    expect(legend).toHaveTextContent("Heatmap: where the model looked — not proof of manipulation.");
    expect(legend).toHaveTextContent("more of where the model's evidence for “fake” lies");
    const entries = within(screen.getByTestId("heatmap-list")).getAllByRole("listitem");
    expect(entries.map((entry) => entry.textContent)).toEqual([
      "Face 1: heatmap drawn, 62% of its evidence in the hottest 15% of the area",
      "Face 2: no localised evidence",
      "Face 3: not judged, so no heatmap",
    ]);
    const key = screen.getByTestId("heatmap-key");
    expect(key).toHaveTextContent("No localised evidence: the model's evidence is absent or spread evenly");
    expect(key).toHaveTextContent("Grad-CAM of layer conv_head of lopt-faces-v2 (float32 weights).");
  });

  it("shows the server's note when there is no map, without a legend", () => {
    const prediction = imagePrediction({
      faces: [],
      explanation: { model: "m", precision: "float32", methods: ["grad-cam"], layer: "conv_head", heatmaps: 0, note: "No face was judged, so there is no heatmap to draw." },
    });
    render(<HeatmapKey prediction={prediction} maps={mapsAt(prediction, "image", 0, "grad-cam")} opacity={0.7} />);
    expect(screen.getByRole("note")).toHaveTextContent("No face was judged, so there is no heatmap to draw.");
    expect(screen.queryByTestId("heatmap-legend")).not.toBeInTheDocument();
  });
});
