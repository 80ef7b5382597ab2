import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Analysis } from "../useAnalysis";
import { decidedByCredentials, photoAt, signedAiGenerated, unsignedGenerator } from "../test/fixtures";
import type { Level } from "../lib/levels";
import { History } from "./History";

const item = (name: string, level: Level | null, p = 0.5): Analysis => ({
  id: name,
  file: new File(["x"], name, { type: "image/jpeg" }),
  url: "blob:x",
  kind: "image",
  prediction: level ? photoAt(level, p) : null,
  error: level ? null : { title: "Lopt is busy", detail: "Busy.", canRetry: true },
});

describe("History", () => {
  it("lists each file with its level's name, colour, shape and fake probability", async () => {
    const onSelect = vi.fn();
    const items = [
      item("a.jpg", "authentic", 0.12),
      item("s.jpg", "suspicious", 0.47),
      item("m.jpg", "manipulated", 0.91),
      item("n.png", "not_applicable", 0.5),
      item("e.jpg", null),
    ];
    render(<History items={items} current="s.jpg" onSelect={onSelect} />);
    const rows = within(screen.getByTestId("history")).getAllByRole("button");
    expect(rows.map((row) => row.textContent)).toEqual([
      "a.jpgAuthentic12%",
      "s.jpgSuspicious47%",
      "m.jpgManipulated91%",
      "n.pngNot applicable",
      "e.jpgFailed",
    ]);
    const outcome = (index: number) => rows[index].querySelector("[data-level]") as HTMLElement;
    expect(outcome(0)).toHaveClass("text-emerald-800");
    expect(outcome(1)).toHaveClass("text-amber-800");
    expect(outcome(2)).toHaveClass("text-red-800");
    expect(outcome(3)).toHaveClass("text-slate-700");
    expect(outcome(3).querySelector("[data-testid=level-icon]")).toHaveAttribute("data-shape", "circle-dash");
    expect(rows[1]).toHaveAttribute("aria-current", "true");
    await userEvent.click(rows[2]);
    expect(onSelect).toHaveBeenCalledWith("m.jpg");
  });

  it("marks signed declarations with a labelled shape, and a decided verdict without the model's percentage", () => {
    const with_ = (name: string, prediction: Analysis["prediction"]) => ({ ...item(name, "authentic"), prediction });
    const items = [
      with_("signed.jpg", { ...photoAt("authentic", 0.12), provenance: signedAiGenerated() }),
      with_("unsigned.png", { ...photoAt("authentic", 0.12), provenance: unsignedGenerator() }),
      with_("decided.jpg", decidedByCredentials()),
    ];
    render(<History items={items} current={null} onSelect={vi.fn()} />);
    const rows = within(screen.getByTestId("history")).getAllByRole("button");
    expect(rows.map((row) => row.textContent)).toEqual([
      "signed.jpgAuthentic12%",
      "unsigned.pngAuthentic12%",
      "decided.jpgManipulated",
    ]);
    const marker = within(rows[0]).getByRole("img", { name: /^Content Credentials: Declared AI-generated; signed, signer not on/ });
    expect(marker).toHaveAttribute("data-mark", "sparkle");
    expect(within(rows[1]).queryByTestId("provenance-icon")).not.toBeInTheDocument();
    expect(rows[2]).toHaveAccessibleName(/decided\.jpg Manipulated Content Credentials/);
  });
});
