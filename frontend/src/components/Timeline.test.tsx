import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { videoPrediction } from "../test/fixtures";
import { Timeline } from "./Timeline";

describe("Timeline", () => {
  it("draws one distinguishable line per person and the clips", () => {
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={() => {}} />);
    const series = screen.getAllByTestId("timeline-series");
    expect(series).toHaveLength(2);
    const [first, second] = series.map((g) => g.querySelector("polyline"));
    expect(first?.getAttribute("stroke")).not.toEqual(second?.getAttribute("stroke"));
    expect(first?.getAttribute("stroke-dasharray")).not.toEqual(second?.getAttribute("stroke-dasharray"));
    expect(screen.getByText("Person 1: Fake 80% fake")).toBeInTheDocument();
    expect(screen.getByText("Person 2: Real 10% fake")).toBeInTheDocument();
    expect(screen.getAllByTestId("clip")).toHaveLength(1);
  });

  it("seeks where the chart is clicked", () => {
    const onSeek = vi.fn();
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={onSeek} />);
    const svg = screen.getByTestId("timeline").querySelector("svg") as SVGSVGElement;
    svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: 640, height: 180 }) as DOMRect;
    fireEvent.click(svg, { clientX: 36 + (640 - 48) / 2, clientY: 50 });
    expect(onSeek).toHaveBeenCalledWith(2);
  });

  it("seeks from the keyboard on each point", () => {
    const onSeek = vi.fn();
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={onSeek} />);
    const point = screen.getByRole("button", { name: /Person 2 at 3\.0 s: 10% fake/ });
    fireEvent.keyDown(point, { key: "Enter" });
    expect(onSeek).toHaveBeenCalledWith(3);
  });
});
