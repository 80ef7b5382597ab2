import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { imagePrediction } from "../test/fixtures";
import { FaceBoxes, boxesForFaces } from "./FaceBoxes";

describe("FaceBoxes", () => {
  it("draws every face in the image's own pixels in its level's colour, shape and pattern", () => {
    render(<FaceBoxes boxes={boxesForFaces(imagePrediction().faces ?? [])} width={400} height={300} scoreName="fake probability" />);
    const svg = screen.getByTestId("face-boxes");
    expect(svg).toHaveAttribute("viewBox", "0 0 400 300");
    const [manipulated, suspicious, small] = screen.getAllByTestId("face-box");
    const rect = (box: HTMLElement) => box.querySelector("rect") as SVGRectElement;
    expect(rect(manipulated)).toHaveAttribute("x", "10");
    expect(rect(manipulated)).toHaveAttribute("width", "100");
    expect(manipulated).toHaveAttribute("data-level", "manipulated");
    expect(rect(manipulated)).toHaveAttribute("stroke", "#ef4444");
    expect(rect(manipulated)).not.toHaveAttribute("stroke-dasharray");
    expect(manipulated.querySelector("[data-testid=level-icon]")).toHaveAttribute("data-shape", "octagon-cross");
    expect(rect(suspicious)).toHaveAttribute("stroke", "#f59e0b");
    expect(rect(suspicious)).toHaveAttribute("stroke-dasharray");
    expect(suspicious.querySelector("[data-testid=level-icon]")).toHaveAttribute("data-shape", "triangle-bang");
    expect(rect(small)).toHaveAttribute("stroke", "#94a3b8");
    expect(small.querySelector("[data-testid=level-icon]")).toBeNull();
    // Captions carry the level by name and the face's fake probability, never a confidence.
    expect(manipulated).toHaveTextContent("Face 1: Manipulated 91%");
    expect(suspicious).toHaveTextContent("Face 2: Suspicious 35%");
    expect(small).toHaveTextContent("Face 3: too small to judge");
    expect(svg).toHaveAccessibleName(/^Faces with their level and fake probability: Face 1: Manipulated 91%; Face 2/);
  });

  it("draws an authentic face green and solid", () => {
    const face = { box: { x1: 0, y1: 0, x2: 50, y2: 50 }, detector_score: 0.9, judged: true, verdict: "authentic" as const, fake_probability: 0.04 };
    render(<FaceBoxes boxes={boxesForFaces([face])} width={100} height={100} scoreName="raw score" />);
    const box = screen.getByTestId("face-box");
    expect(box.querySelector("rect")).toHaveAttribute("stroke", "#10b981");
    expect(box).toHaveTextContent("Face 1: Authentic 4%");
    expect(box.querySelector("[data-testid=level-icon]")).toHaveAttribute("data-shape", "circle-check");
  });
});
