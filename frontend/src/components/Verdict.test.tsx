import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { imagePrediction } from "../test/fixtures";
import { Verdict } from "./Verdict";

describe("Verdict", () => {
  it("shows a Fake verdict in red with its confidence, probabilities and model", () => {
    render(<Verdict prediction={imagePrediction()} />);
    expect(screen.getByRole("heading", { name: "Fake" })).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-tone", "fake");
    expect(screen.getByLabelText("Confidence in Fake: 91%")).toBeInTheDocument();
    expect(screen.getByTestId("probability-Real")).toHaveTextContent("9%");
    expect(screen.getByTestId("probability-Fake")).toHaveTextContent("91%");
    expect(screen.getByTestId("model-id")).toHaveTextContent("agasta/virtus");
    expect(screen.getByText(/3 faces judged/)).toBeInTheDocument();
    expect(screen.queryByRole("note")).not.toBeInTheDocument();
  });

  it("shows a Real verdict in green", () => {
    const real = imagePrediction({ label: "Real", confidence: 0.8, fake_probability: 0.2, probabilities: { Real: 0.8, Fake: 0.2 } });
    render(<Verdict prediction={real} />);
    expect(screen.getByRole("heading", { name: "Real" })).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-tone", "real");
  });

  it("flags a verdict without a face and shows the service's note", () => {
    const note = "No face was found; the whole image was judged. Treat this verdict with caution.";
    render(<Verdict prediction={imagePrediction({ status: "no_face", rule: "whole_image", faces: [], note })} />);
    expect(screen.getByRole("heading", { name: "No face found" })).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-tone", "caution");
    expect(screen.getByRole("alert")).toHaveTextContent(note);
    expect(screen.getByText(/whole image was judged instead: Fake \(91%\)/)).toBeInTheDocument();
  });

  it("flags faces too small to judge", () => {
    render(<Verdict prediction={imagePrediction({ status: "faces_too_small", note: "Faces too small." })} />);
    expect(screen.getByRole("heading", { name: "Faces too small to judge" })).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-tone", "caution");
  });

  it("says when the configured model was unavailable", () => {
    const model = { id: "lopt-faces-v2", revision: null, replaces: "agasta/virtus" };
    render(<Verdict prediction={imagePrediction({ model })} />);
    expect(screen.getByTestId("model-id")).toHaveTextContent("lopt-faces-v2");
    expect(screen.getByRole("note")).toHaveTextContent(/configured model agasta\/virtus was\s+unavailable/);
  });
});
