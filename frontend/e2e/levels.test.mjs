// End-to-end: each verdict level as a user sees it, with nothing stubbed. The real backend
// and embedded detector judge a real photo; the server's own policy settings
// (LOPT_VERDICT_*) put every score in one level, so each level is known beforehand.
// One backend and one page per level; light, dark and phone width on each.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  LEVEL_NAMES,
  MEDIA,
  MISSING,
  contrastRatios,
  dropFile,
  openPage,
  screenshot,
  start,
  wholePercent,
} from "./harness.mjs";

const POLICIES = [
  { level: "authentic", env: { LOPT_VERDICT_AUTHENTIC_BELOW: "1", LOPT_VERDICT_MANIPULATED_AT: "1" } },
  { level: "suspicious", env: { LOPT_VERDICT_AUTHENTIC_BELOW: "0", LOPT_VERDICT_MANIPULATED_AT: "1" } },
  { level: "manipulated", env: { LOPT_VERDICT_AUTHENTIC_BELOW: "0", LOPT_VERDICT_MANIPULATED_AT: "0" } },
];
// The level's text on the page: the name, the score, what it means, why, and the history.
const TEXTS = [
  "#verdict-heading",
  "[data-testid=verdict-score]",
  "[data-testid=verdict-meaning]",
  "[data-testid=verdict-reason]",
  "[data-testid=history] [data-level]",
].join(", ");

async function assertReadable(page, theme) {
  const measured = await contrastRatios(page, TEXTS);
  assert.equal(measured.length, 5, "the name, score, meaning, reason and history entry were measured");
  for (const { text, ratio } of measured) {
    assert.ok(ratio >= 4.5, `${theme}: "${text}" has contrast ${ratio.toFixed(2)}:1, below 4.5:1`);
  }
}

for (const { level, env: policy } of POLICIES) {
  describe(`a photo on a server whose policy makes every score ${level}`, { skip: MISSING ?? false }, () => {
    let env;
    let page;
    before(async () => {
      env = await start({ env: policy });
      page = await env.context.newPage();
    });
    after(async () => env?.stop());
    const shot = (name) => screenshot(page, `level-${level}-${name}`);

    test(`leads with ${LEVEL_NAMES[level]}, its colour, shape and one score`, async () => {
      await openPage(page, env.url);
      const answered = page.waitForResponse((response) => response.url().endsWith("/playground"));
      const buffer = readFileSync(join(MEDIA, "facenet_paul_rudd.jpg"));
      await dropFile(page, "[data-testid=dropzone]", { name: "paul_rudd.jpg", mimeType: "image/jpeg", buffer });
      const prediction = await (await answered).json();
      assert.equal(prediction.verdict, level, "the server applied its policy");
      assert.equal(prediction.bands.source, "settings");

      const verdict = page.getByTestId("verdict");
      await verdict.waitFor({ timeout: 60_000 });
      assert.equal(await verdict.getAttribute("data-level"), level);
      assert.equal(await page.locator("#verdict-heading").innerText(), LEVEL_NAMES[level]);
      assert.equal(await page.locator("#verdict-heading [data-testid=level-icon]").count(), 1);
      const shown = wholePercent(prediction.fake_probability);
      assert.match(await page.getByTestId("verdict-score").innerText(), new RegExp(`^(Fake probability|Raw score) ${shown}`));
      assert.match(await page.getByTestId("verdict-reason").innerText(), new RegExp(`${shown}`));
      assert.match(await page.getByTestId("verdict-meaning").innerText(), /It is a model's estimate, not proof\./);
      assert.match(await verdict.innerText(), /Level edges set by this server's policy\./);
      assert.match(await page.getByRole("status").innerText(), new RegExp(`^Verdict for paul_rudd\\.jpg: ${LEVEL_NAMES[level]}, .* ${shown}( \\(not calibrated\\))?\\.$`));

      const boxes = page.getByTestId("face-box");
      assert.ok((await boxes.count()) >= 1, "the face is boxed");
      assert.equal(await boxes.first().getAttribute("data-level"), level);
      assert.match(await boxes.first().locator("text").textContent(), new RegExp(`^Face 1: ${LEVEL_NAMES[level]} \\d+%$`));
      const row = page.getByTestId("history").getByRole("button");
      assert.equal(await row.innerText().then((text) => text.replace(/\s+/g, " ")), `paul_rudd.jpg ${LEVEL_NAMES[level]} ${shown}`);

      await page.evaluate(() => document.fonts.ready);
      await assertReadable(page, "light");
      await shot("light");
    });

    test("stays readable in dark mode and at phone width", async () => {
      await page.getByRole("button", { name: "Dark mode" }).click();
      await assertReadable(page, "dark");
      await shot("dark");
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      await shot("phone-dark");
    });
  });
}
