import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { videoPrediction } from "../test/fixtures";
import { Timeline } from "./Timeline";

// The chart's scale: 200 units tall, 12 above and 24 below the plot.
const y = (p: number) => 12 + (1 - p) * 164;

describe("Timeline", () => {
  it("shades the levels' bands behind the lines, at the server's edges", () => {
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={() => {}} />);
    const band = (level: string) => screen.getByTestId(`band-${level}`).querySelector("rect") as SVGRectElement;
    const top = (level: string) => Number(band(level).getAttribute("y"));
    const bottom = (level: string) => top(level) + Number(band(level).getAttribute("height"));
    expect(top("authentic")).toBeCloseTo(y(0.2));
    expect(bottom("authentic")).toBeCloseTo(y(0));
    expect(top("suspicious")).toBeCloseTo(y(0.8));
    expect(bottom("suspicious")).toBeCloseTo(y(0.2));
    expect(top("manipulated")).toBeCloseTo(y(1));
    expect(bottom("manipulated")).toBeCloseTo(y(0.8));
    expect(band("authentic")).toHaveAttribute("fill", "#10b981");
    expect(band("suspicious")).toHaveAttribute("fill", "#f59e0b");
    expect(band("manipulated")).toHaveAttribute("fill", "#ef4444");
    // Each band is named in the chart and the legend, not by colour alone.
    expect(screen.getByTestId("band-suspicious")).toHaveTextContent("Suspicious");
    expect(screen.getByTestId("timeline-legend")).toHaveTextContent(
      "Shading: authentic below 20%, suspicious 20% to under 80%, manipulated 80% and above",
    );
    // Drawn first, so the people's lines lie on top.
    const svg = screen.getByTestId("timeline").querySelector("svg") as SVGSVGElement;
    const order = [...svg.children].map((child) => child.getAttribute("data-testid"));
    expect(order.indexOf("band-manipulated")).toBeLessThan(order.indexOf("timeline-series"));
    // The axis marks the edges too.
    const labels = [...svg.querySelectorAll("text")].map((text) => text.textContent);
    expect(labels).toEqual(expect.arrayContaining(["0%", "20%", "80%", "100%"]));
  });

  it("draws one distinguishable line per person, each with its level, and the clips in theirs", () => {
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={() => {}} />);
    const series = screen.getAllByTestId("timeline-series");
    expect(series).toHaveLength(2);
    expect(series[0].getAttribute("class")).not.toEqual(series[1].getAttribute("class"));
    const [first, second] = series.map((g) => g.querySelector("polyline"));
    expect(first?.getAttribute("stroke-dasharray")).not.toEqual(second?.getAttribute("stroke-dasharray"));
    const legend = screen.getByTestId("timeline-legend");
    expect(legend).toHaveTextContent("Person 1:Manipulated 80%");
    expect(legend).toHaveTextContent("Person 2:Authentic 10%");
    expect(within(legend).getAllByTestId("level-icon").map((icon) => icon.getAttribute("data-shape"))).toEqual([
      "octagon-cross",
      "circle-check",
    ]);
    const [clip] = screen.getAllByTestId("clip");
    expect(clip).toHaveAttribute("data-level", "suspicious");
    expect(clip).toHaveAttribute("stroke", "#f59e0b");
    expect(clip).toHaveTextContent("Clip 1, 0.0 s–2.0 s: Suspicious 70%");
    expect(Number(clip.getAttribute("y1"))).toBeCloseTo(y(0.7));
  });

  it("shows whole-frame scores of a not-applicable video for reference only, without bands", () => {
    const prediction = {
      ...videoPrediction(),
      verdict: "not_applicable" as const,
      status: "no_face" as const,
      tracks: [],
      clips: null,
      frame_scores: [
        { frame_index: 0, time_s: 0, fake_probability: 0.4 },
        { frame_index: 10, time_s: 1, fake_probability: 0.6 },
      ],
    };
    render(<Timeline prediction={prediction} currentTime={0} onSeek={() => {}} />);
    expect(screen.getByRole("heading")).toHaveTextContent("Fake probability over time: for reference only, not a verdict");
    expect(screen.queryByTestId("band-suspicious")).not.toBeInTheDocument();
    expect(screen.getByTestId("timeline-legend")).toHaveTextContent("Whole frame:no face: for reference only, not a verdict");
  });

  it("seeks where the chart is clicked", () => {
    const onSeek = vi.fn();
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={onSeek} />);
    const svg = screen.getByTestId("timeline").querySelector("svg") as SVGSVGElement;
    svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: 640, height: 200 }) as DOMRect;
    fireEvent.click(svg, { clientX: 40 + (640 - 52) / 2, clientY: 50 });
    expect(onSeek).toHaveBeenCalledWith(2);
  });

  it("seeks from the keyboard on each point", () => {
    const onSeek = vi.fn();
    render(<Timeline prediction={videoPrediction()} currentTime={0} onSeek={onSeek} />);
    const point = screen.getByRole("button", { name: /Person 2 at 3\.0 s: 10% fake probability/ });
    fireEvent.keyDown(point, { key: "Enter" });
    expect(onSeek).toHaveBeenCalledWith(3);
  });
});
