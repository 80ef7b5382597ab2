import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { explainedPhoto, explainedVideo, imagePrediction, videoPrediction } from "../test/fixtures";
import type { HeatmapSettings } from "./HeatmapControls";
import { MediaView } from "./MediaView";

const heatmaps = (shown: boolean): HeatmapSettings => ({
  shown,
  opacity: 0.4,
  method: "grad-cam",
  request: { id: null, loading: false, progress: 0, error: null },
  refused: null,
  onShow: vi.fn(),
  onOpacity: vi.fn(),
  onMethod: vi.fn(),
  onRetry: vi.fn(),
});

const at = (video: HTMLVideoElement, seconds: number) => {
  Object.defineProperty(video, "currentTime", { value: seconds, configurable: true });
  fireEvent.timeUpdate(video);
};

describe("MediaView", () => {
  it("boxes every face of a photo once the verdict is in", () => {
    const { rerender } = render(<MediaView url="blob:x" kind="image" name="a.jpg" prediction={null} />);
    expect(screen.queryByTestId("face-boxes")).not.toBeInTheDocument();
    rerender(<MediaView url="blob:x" kind="image" name="a.jpg" prediction={imagePrediction()} />);
    expect(screen.getAllByTestId("face-box")).toHaveLength(3);
  });

  it("shows each person's box at the video's current time in that moment's level, and the timeline", () => {
    render(<MediaView url="blob:x" kind="video" name="a.mp4" prediction={videoPrediction()} />);
    expect(screen.getByTestId("timeline")).toBeInTheDocument();
    const video = screen.getByTestId("video") as HTMLVideoElement;
    expect(screen.getByTestId("face-boxes")).toHaveAccessibleName(/: Person 1: Suspicious 70%$/);
    expect(screen.getByTestId("face-box")).toHaveAttribute("data-level", "suspicious");
    Object.defineProperty(video, "currentTime", { value: 3, configurable: true });
    fireEvent.timeUpdate(video);
    expect(screen.getByTestId("face-boxes")).toHaveAccessibleName(/: Person 2: Authentic 10%$/);
    expect(screen.getByTestId("face-box")).toHaveAttribute("data-level", "authentic");
  });

  it("says so when the browser cannot show the file", () => {
    render(<MediaView url="blob:x" kind="video" name="clip.avi" prediction={videoPrediction()} />);
    fireEvent.error(screen.getByTestId("video"));
    expect(screen.getByRole("note")).toHaveTextContent("This browser cannot show clip.avi");
  });

  it("lays each localised map over its face's crop, under the boxes, only while switched on", () => {
    const photo = explainedPhoto();
    const { rerender } = render(<MediaView url="blob:x" kind="image" name="a.jpg" prediction={photo} heatmaps={heatmaps(false)} />);
    const caption = () => Number(screen.getAllByTestId("face-caption")[0].getAttribute("y"));
    expect(screen.queryByTestId("heatmaps")).not.toBeInTheDocument();
    expect(screen.queryByTestId("heatmap-key")).not.toBeInTheDocument();
    expect(caption()).toBeLessThan(20); // above face 1's box (y 20..140)
    rerender(<MediaView url="blob:x" kind="image" name="a.jpg" prediction={photo} heatmaps={heatmaps(true)} />);
    const layer = screen.getByTestId("heatmaps");
    // The boxes' coordinate system: the photo's own pixels.
    expect(layer).toHaveAttribute("viewBox", "0 0 400 300");
    expect(layer).toHaveAttribute("aria-hidden", "true");
    expect(layer).toHaveStyle({ opacity: "0.4" });
    // Face 2's map is not localised and face 3 was not judged: only face 1's is drawn.
    expect(screen.getAllByTestId("heatmap")).toHaveLength(1);
    const map = screen.getByTestId("heatmap");
    expect(map).toHaveAttribute("data-who", "Face 1");
    expect(map).toHaveAttribute("href", expect.stringMatching(/^data:image\/png;base64,/));
    expect(["x", "y", "width", "height"].map((name) => map.getAttribute(name))).toEqual(["0", "10", "120", "140"]);
    expect(layer.compareDocumentPosition(screen.getByTestId("face-boxes")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    // Face 1's caption steps off the map: no room above it (y 10), so below it (y 150).
    expect(caption()).toBe(150);
    expect(screen.getByTestId("heatmap-key")).toHaveTextContent("Face 2: no localised evidence");
    // The switch lies above the photo, the legend below it.
    const photoFrame = screen.getByRole("img", { name: "Preview of a.jpg" });
    expect(screen.getByRole("switch").compareDocumentPosition(photoFrame) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(photoFrame.compareDocumentPosition(screen.getByTestId("heatmap-legend")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("offers no heatmaps before the verdict is in", () => {
    render(<MediaView url="blob:x" kind="image" name="a.jpg" prediction={null} heatmaps={heatmaps(true)} />);
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
  });

  it("lays a video's map over it only at the frame that has one, and seeks there from the legend", async () => {
    render(<MediaView url="blob:x" kind="video" name="a.mp4" prediction={explainedVideo()} heatmaps={heatmaps(true)} />);
    const video = screen.getByTestId("video") as HTMLVideoElement;
    expect(screen.queryByTestId("heatmaps")).not.toBeInTheDocument();
    at(video, 2);
    expect(screen.getByTestId("heatmap")).toHaveAttribute("data-who", "Person 1");
    at(video, 1); // person 2's map there is not localised: nothing drawn
    expect(screen.queryByTestId("heatmaps")).not.toBeInTheDocument();
    const people = within(screen.getByTestId("heatmap-list")).getAllByRole("listitem");
    expect(people.map((person) => person.textContent)).toEqual(["Person 1:2.0 s", "Person 2:1.0 s: no localised evidence"]);
    expect(screen.getByRole("button", { name: "Person 2 at 1.0 s: no localised evidence. Go to this moment." })).toHaveAttribute(
      "aria-current",
      "true",
    );
    await userEvent.click(screen.getByRole("button", { name: /^Person 1 at 2\.0 s: heatmap drawn, 62% .*\. Go to this moment\.$/ }));
    expect(screen.getByTestId("heatmap")).toHaveAttribute("data-who", "Person 1");
    // The timeline rings the frames that have a map, dashed where it shows nothing.
    const marks = screen.getAllByTestId("heatmap-mark");
    expect(marks.map((mark) => mark.getAttribute("data-heatmap")).sort()).toEqual(["drawn", "not_localised"]);
    expect(screen.getByTestId("heatmap-marks-legend")).toHaveTextContent("Ringed points: frames with a heatmap");
    expect(screen.getByRole("button", { name: /^Person 1 at 2\.0 s: 90% fake probability\. Has a heatmap\. Press Enter/ })).toBeInTheDocument();
  });
});
