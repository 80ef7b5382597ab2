import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { imagePrediction, videoPrediction } from "../test/fixtures";
import { MediaView } from "./MediaView";

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
});
