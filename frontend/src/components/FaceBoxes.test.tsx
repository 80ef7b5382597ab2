import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { imagePrediction } from "../test/fixtures";
import { FaceBoxes, boxesForFaces } from "./FaceBoxes";

describe("FaceBoxes", () => {
  it("draws every face in the image's own pixels with its own score", () => {
    render(<FaceBoxes boxes={boxesForFaces(imagePrediction().faces ?? [])} width={400} height={300} />);
    const svg = screen.getByTestId("face-boxes");
    expect(svg).toHaveAttribute("viewBox", "0 0 400 300");
    const rects = svg.querySelectorAll("rect");
    expect(rects).toHaveLength(3);
    expect(rects[0]).toHaveAttribute("x", "10");
    expect(rects[0]).toHaveAttribute("width", "100");
    expect(rects[0]).toHaveAttribute("stroke", "#f43f5e");
    expect(rects[1]).toHaveAttribute("stroke", "#10b981");
    expect(svg).toHaveTextContent("Face 1: Fake 91%");
    expect(svg).toHaveTextContent("Face 2: Real 80%");
    expect(svg).toHaveTextContent("Face 3: too small to judge");
    expect(rects[2]).toHaveAttribute("stroke-dasharray", "4 3");
  });
});
