import { describe, expect, it } from "vitest";
import { bands, decidedByCredentials, photoAt } from "../test/fixtures";
import { percent } from "./format";
import { announcement, bandRanges, levelOf, scoreText } from "./levels";

describe("levels", () => {
  it("puts a probability in the level the server's bands give it", () => {
    expect(levelOf(0.19, bands)).toBe("authentic");
    expect(levelOf(0.2, bands)).toBe("suspicious");
    expect(levelOf(0.79, bands)).toBe("suspicious");
    expect(levelOf(0.8, bands)).toBe("manipulated");
  });

  it("leaves out levels with no room on the scale", () => {
    const everythingAuthentic = { ...bands, authentic_below: 1, manipulated_at: 1 };
    expect(bandRanges(everythingAuthentic).map((range) => range.level)).toEqual(["authentic", "manipulated"]);
    const everythingManipulated = { ...bands, authentic_below: 0, manipulated_at: 0 };
    expect(bandRanges(everythingManipulated).map((range) => range.level)).toEqual(["manipulated"]);
  });

  it("names the score for what it is", () => {
    expect(scoreText({ fake_probability: 0.231, calibrated: true })).toBe("Fake probability 23%");
    expect(scoreText({ fake_probability: 0.231, calibrated: false })).toBe("Raw score 23% (not calibrated)");
  });

  it("announces a verdict in one sentence", () => {
    expect(announcement(photoAt("suspicious", 0.47))).toBe("Verdict for photo.jpg: Suspicious, fake probability 47%.");
    expect(announcement(photoAt("not_applicable", 0.5))).toMatch(/^Verdict for photo\.jpg: Not applicable\. No face was found/);
    expect(announcement(decidedByCredentials())).toBe(
      "Verdict for photo.jpg: Manipulated, from Content Credentials; the model's own verdict: Authentic, fake probability 12%.",
    );
  });
});

describe("percent", () => {
  it("rounds as the server's sentences do (ties to even), so the page agrees with them", () => {
    // Python: f"{0.125:.0%}" == "12%", f"{0.375:.0%}" == "38%", f"{0.005:.0%}" == "0%".
    expect([0.125, 0.375, 0.625, 0.875, 0.005, 0.015].map(percent)).toEqual(["12%", "38%", "62%", "88%", "0%", "2%"]);
    expect([0.145, 0.2289, 0.8396075367927551, 0.9999, 1].map(percent)).toEqual(["14%", "23%", "84%", "100%", "100%"]);
  });
});
