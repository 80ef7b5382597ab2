import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { percent } from "../lib/format";
import { decidedByCredentials, imagePrediction, photoAt, signedAiGenerated } from "../test/fixtures";
import { Verdict } from "./Verdict";

/** Every percentage written in an element's text. */
const percentages = (element: HTMLElement) => [...(element.textContent ?? "").matchAll(/(\d+)%/g)].map((m) => `${m[1]}%`);

describe("Verdict", () => {
  it.each([
    ["authentic", 0.12, "Authentic", "text-emerald-800", "circle-check", /no sign of manipulation/],
    ["suspicious", 0.47, "Suspicious", "text-amber-800", "triangle-bang", /cannot tell reliably: have a person look/],
    ["manipulated", 0.91, "Manipulated", "text-red-800", "octagon-cross", /found signs of manipulation/],
  ] as const)("leads with %s: its name, colour, shape and one fake probability", (level, p, name, colour, shape, meaning) => {
    const prediction = photoAt(level, p);
    render(<Verdict prediction={prediction} />);
    const heading = screen.getByRole("heading", { name });
    expect(heading).toHaveClass(colour);
    expect(within(heading).getByTestId("level-icon")).toHaveAttribute("data-shape", shape);
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-level", level);
    // The one number: the fake probability, agreeing with the label's probabilities.
    const shown = percent(prediction.probabilities.Fake);
    expect(screen.getByTestId("verdict-score")).toHaveTextContent(`Fake probability ${shown}`);
    expect(screen.getByTestId("verdict-meaning")).toHaveTextContent(meaning);
    expect(screen.getByTestId("verdict-meaning")).toHaveTextContent("It is a model's estimate, not proof.");
    expect(screen.getByTestId("verdict-reason")).toHaveTextContent(prediction.verdict_reason);
    // Every percentage besides the level edges is that same number.
    const edges = ["20%", "80%"];
    const card = screen.getByTestId("verdict");
    expect(new Set(percentages(card).filter((value) => !edges.includes(value)))).toEqual(new Set([shown]));
    expect(screen.queryByText(/confidence/i)).not.toBeInTheDocument();
    expect(parseFloat(screen.getByTestId("scale-marker").style.left)).toBeCloseTo(p * 100);
  });

  it("shows the level edges and where they come from on the scale", () => {
    render(<Verdict prediction={photoAt("suspicious", 0.47)} />);
    const scale = screen.getByTestId("score-scale");
    expect(scale).toHaveTextContent("Authentic: below 20%");
    expect(scale).toHaveTextContent("Suspicious: 20% to under 80%");
    expect(scale).toHaveTextContent("Manipulated: 80% and above");
    expect(screen.getByTestId("scale-authentic").style.width).toBe("20%");
    expect(screen.getByRole("img", { name: /47% fake probability on a scale where below 20% is authentic/ })).toBeInTheDocument();
    expect(screen.getByText(/Level edges chosen on validation data \(fpr<=0\.03/)).toBeInTheDocument();
  });

  it("names an uncalibrated score a raw score", () => {
    const raw = { ...photoAt("suspicious", 0.23), calibrated: false, bands: { authentic_below: 0.2, manipulated_at: 0.84, source: "default" as const, rules: "the checkpoint's threshold" } };
    render(<Verdict prediction={raw} />);
    expect(screen.getByTestId("verdict-score")).toHaveTextContent("Raw score 23% (not calibrated)");
    expect(screen.getByText(/not calibrated probabilities/)).toBeInTheDocument();
    expect(screen.getByText(/default convention \(the checkpoint's threshold\), not measured/)).toBeInTheDocument();
  });

  it("says not applicable prominently, its score for reference only and no level scale", () => {
    const prediction = photoAt("not_applicable", 0.5);
    render(<Verdict prediction={prediction} />);
    expect(screen.getByRole("heading", { name: "Not applicable" })).toHaveClass("text-slate-700");
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-level", "not_applicable");
    expect(screen.getByTestId("level-icon")).toHaveAttribute("data-shape", "circle-dash");
    expect(screen.getByTestId("verdict-reason")).toHaveTextContent("No face was found, and this detector judges faces only.");
    expect(screen.getByTestId("verdict-meaning")).toHaveTextContent("cannot judge this file, so there is no verdict");
    expect(screen.getByTestId("reference-score")).toHaveTextContent(
      "Score of the whole image, for reference only, not a verdict: Fake probability 50%.",
    );
    expect(screen.queryByTestId("verdict-score")).not.toBeInTheDocument();
    expect(screen.queryByTestId("score-scale")).not.toBeInTheDocument();
    expect(screen.getByRole("note")).toHaveTextContent(/shown for reference, not as a verdict/);
  });

  it("says when the configured model was unavailable", () => {
    const model = { id: "lopt-faces-v2", revision: null, replaces: "agasta/virtus" };
    render(<Verdict prediction={imagePrediction({ model })} />);
    expect(screen.getByTestId("model-id")).toHaveTextContent("lopt-faces-v2");
    expect(screen.getByRole("note")).toHaveTextContent(/configured model agasta\/virtus was\s+unavailable/);
  });

  it("stays the model's verdict beside an AI-generated declaration by default", () => {
    render(<Verdict prediction={{ ...photoAt("authentic", 0.12), provenance: signedAiGenerated(true) }} />);
    expect(screen.getByRole("heading", { name: "Authentic" })).toBeInTheDocument();
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-source", "model");
    expect(screen.getByTestId("verdict-score")).toHaveTextContent("Fake probability 12%");
    expect(screen.queryByTestId("verdict-source")).not.toBeInTheDocument();
    expect(screen.queryByTestId("model-verdict")).not.toBeInTheDocument();
  });

  it("says when Content Credentials decided the verdict, with the model's own verdict and score beside it", () => {
    render(<Verdict prediction={decidedByCredentials()} />);
    const heading = screen.getByRole("heading", { name: "Manipulated" });
    expect(within(heading).getByTestId("level-icon")).toHaveAttribute("data-shape", "octagon-cross");
    expect(screen.getByTestId("verdict")).toHaveAttribute("data-source", "provenance");
    expect(screen.getByTestId("verdict-source")).toHaveTextContent("from Content Credentials");
    // The model's score is not presented as the manipulated verdict's number.
    expect(screen.queryByTestId("verdict-score")).not.toBeInTheDocument();
    expect(screen.getByTestId("verdict-meaning")).toHaveTextContent(/signer is on the trust list declare this file AI-generated/);
    expect(screen.getByTestId("verdict-meaning")).toHaveTextContent("not that the declaration is true");
    expect(screen.getByTestId("verdict-reason")).toHaveTextContent(/LOPT_PROVENANCE_DECIDES\)\. The model alone says authentic/);
    const own = screen.getByTestId("model-verdict");
    expect(own).toHaveAttribute("data-level", "authentic");
    expect(own).toHaveTextContent("The model's own verdict: Authentic, fake probability 12%.");
    expect(within(own).getAllByTestId("level-icon")[0]).toHaveAttribute("data-shape", "circle-check");
    expect(parseFloat(within(own).getByTestId("scale-marker").style.left)).toBeCloseTo(12);
  });

  it("gives a model that could not judge its reference score only, beside a decided verdict", () => {
    const prediction = { ...decidedByCredentials(), model_verdict: "not_applicable" as const, faces: [], status: "no_face" as const };
    render(<Verdict prediction={prediction} />);
    expect(screen.getByTestId("model-verdict")).toHaveTextContent(
      "The model's own verdict: Not applicable; score of the whole image, for reference only, not a verdict: fake probability 12%.",
    );
    expect(screen.queryByTestId("score-scale")).not.toBeInTheDocument();
  });
});
