import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Prediction } from "../api/client";
import { mapsAt } from "../lib/heatmaps";
import { explainedPhoto, heatmapOver, imagePrediction } from "../test/fixtures";
import { HeatmapControls, type HeatmapSettings } from "./HeatmapControls";

function settings(overrides: Partial<HeatmapSettings> = {}): HeatmapSettings {
  return {
    shown: false,
    opacity: 0.7,
    method: "grad-cam",
    request: { id: null, loading: false, progress: 0, error: null },
    refused: null,
    onShow: vi.fn(),
    onOpacity: vi.fn(),
    onMethod: vi.fn(),
    onRetry: vi.fn(),
    ...overrides,
  };
}

function renderControls(prediction: Prediction, given: HeatmapSettings) {
  return render(<HeatmapControls prediction={prediction} settings={given} maps={mapsAt(prediction, "image", 0, given.method)} />);
}

describe("HeatmapControls", () => {
  it("is a labelled switch, off by default, that says turning it on analyses the file again", async () => {
    const given = settings();
    renderControls(imagePrediction(), given);
    expect(screen.getByRole("group", { name: "Heatmap" })).toBeInTheDocument();
    const toggle = screen.getByRole("switch", { name: "Show heatmap" });
    expect(toggle).not.toBeChecked();
    expect(toggle).toHaveAccessibleDescription(/Lopt analyses the file again to draw them/);
    expect(screen.queryByRole("slider")).not.toBeInTheDocument();
    toggle.focus();
    await userEvent.keyboard(" ");
    expect(given.onShow).toHaveBeenCalledWith(true);
  });

  it("says while the file is sent again and while the maps are drawn", () => {
    const loading = (progress: number) => settings({ shown: true, request: { id: "a", loading: true, progress, error: null } });
    const prediction = imagePrediction();
    const { rerender } = renderControls(prediction, loading(0.5));
    const progress = screen.getByTestId("heatmap-progress");
    expect(progress).toHaveTextContent("Sending the file again for heatmaps… 50%");
    expect(progress).toHaveAttribute("aria-live", "polite");
    rerender(<HeatmapControls prediction={prediction} settings={loading(1)} maps={mapsAt(prediction, "image", 0, "grad-cam")} />);
    expect(progress).toHaveTextContent("Drawing heatmaps…");
  });

  it("once shown, an opacity slider with a label and a spoken value", () => {
    const given = settings({ shown: true });
    renderControls(explainedPhoto(), given);
    expect(screen.getByRole("switch", { name: "Show heatmap" })).toBeChecked();
    const slider = screen.getByRole("slider", { name: "Heatmap opacity" });
    expect(slider).toHaveValue("70");
    expect(slider).toHaveAttribute("aria-valuetext", "70%");
    fireEvent.change(slider, { target: { value: "35" } });
    expect(given.onOpacity).toHaveBeenCalledWith(0.35);
    // What came of asking, said aloud.
    expect(screen.getByTestId("heatmap-progress")).toHaveTextContent("1 of 3 faces have a localised heatmap.");
    // One method only: nothing to choose.
    expect(screen.queryByRole("radio")).not.toBeInTheDocument();
  });

  it("has no slider when no map can be drawn", () => {
    renderControls(imagePrediction({ faces: [], explanation: explainedPhoto().explanation }), settings({ shown: true }));
    expect(screen.queryByRole("slider")).not.toBeInTheDocument();
  });

  it("offers the attention rollout beside Grad-CAM when the model has both", async () => {
    const photo = explainedPhoto();
    const [first, ...rest] = photo.faces ?? [];
    const rollout = { ...heatmapOver(first.box), method: "attention-rollout" as const };
    const prediction = { ...photo, faces: [{ ...first, attention_map: rollout }, ...rest] };
    const given = settings({ shown: true });
    renderControls(prediction, given);
    const group = screen.getByRole("group", { name: "Map method" });
    expect(within(group).getByRole("radio", { name: "Grad-CAM" })).toBeChecked();
    await userEvent.click(within(group).getByRole("radio", { name: "Attention rollout" }));
    expect(given.onMethod).toHaveBeenCalledWith("attention-rollout");
  });

  it("turns itself off, saying why, on a server that draws no heatmaps", () => {
    const refused = "This server does not draw heatmaps (LOPT_HEATMAPS=false).";
    renderControls(imagePrediction(), settings({ refused }));
    const toggle = screen.getByRole("switch", { name: "Show heatmap" });
    expect(toggle).toBeDisabled();
    expect(toggle).toHaveAccessibleDescription(`This server draws no heatmaps: ${refused}`);
  });

  it("says when drawing failed, and tries again", async () => {
    const error = { title: "Lopt could not draw heatmaps", detail: "The inference queue is full.", canRetry: true };
    const given = settings({ shown: true, request: { id: "a", loading: false, progress: 0, error } });
    renderControls(imagePrediction(), given);
    expect(screen.getByRole("alert")).toHaveTextContent("Lopt could not draw heatmaps");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(given.onRetry).toHaveBeenCalled();
  });
});
