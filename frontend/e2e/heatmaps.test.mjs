// End-to-end: heatmaps as a user asks for them, with nothing stubbed. The real backend and
// embedded detector judge a real photo without maps; "Show heatmap" sends it again with
// explain=true and lays the face's map over it. Then a video, asked with maps at once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test as nodeTest } from "node:test";
import { MEDIA, MISSING, contrastRatios, dropFile, openPage, screenshot, start } from "./harness.mjs";

const test = (name, fn) => nodeTest(name, { skip: MISSING ?? false }, fn);

let env;
let page;

before(async () => {
  if (MISSING) return;
  env = await start();
  page = await env.context.newPage();
});
after(async () => env?.stop());

/** Whether two boxes (x, y, width, height) overlap by at least half of the smaller one. */
function overlapShare(a, b) {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.min(a.width * a.height, b.width * b.height);
}

test("Show heatmap sends the photo again with explain=true and lays the map over the face", async () => {
  await openPage(page, env.url);
  const plain = page.waitForResponse((response) => response.url().endsWith("/playground"));
  const buffer = readFileSync(join(MEDIA, "facenet_kate_siegel.jpg"));
  await dropFile(page, "[data-testid=dropzone]", { name: "kate_siegel.jpg", mimeType: "image/jpeg", buffer });
  const first = await (await plain).json();
  assert.equal(first.explanation ?? null, null, "heatmaps are off by default: the first upload asks for none");
  await page.getByTestId("verdict").waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId("heatmaps").count(), 0);

  const toggle = page.getByRole("switch", { name: "Show heatmap" });
  assert.equal(await toggle.isChecked(), false);
  const explained = page.waitForResponse((response) => response.url().endsWith("/playground"));
  await toggle.focus();
  await page.keyboard.press("Space");
  const prediction = await (await explained).json();
  // The server adds the explanation block only to an answer asked with explain=true.
  assert.ok(prediction.explanation, "the file was sent again with explain=true");
  assert.equal(prediction.verdict, first.verdict, "the explained answer is the same verdict");
  const face = prediction.faces.find((candidate) => candidate.judged);
  assert.ok(face?.heatmap, "the judged face has a map");
  assert.equal(face.heatmap.localised, true, "this photo's face map is localised (else pick another photo)");

  const map = page.getByTestId("heatmap").first();
  await map.waitFor();
  assert.equal(await toggle.isChecked(), true);
  assert.equal(await page.getByTestId("heatmaps").getAttribute("aria-hidden"), "true");
  // The map lies over the face's box on screen, stretched over the crop the model saw.
  const shownMap = await map.boundingBox();
  const shownFace = await page.getByTestId("face-box").first().locator("rect").first().boundingBox();
  assert.ok(overlapShare(shownMap, shownFace) > 0.9, "the face box lies inside the map");
  assert.ok(shownMap.width >= shownFace.width, "the map covers the whole crop around the face");
  const photo = await page.getByRole("img", { name: /^Preview of/ }).boundingBox();
  const scale = photo.width / prediction.media.width;
  assert.ok(Math.abs(shownMap.width - (face.heatmap.box.x2 - face.heatmap.box.x1) * scale) < 2, "stretched over its box");
  // The face's caption steps off the map, so it hides none of it.
  const caption = await page.getByTestId("face-caption").first().boundingBox();
  assert.equal(overlapShare(caption, shownMap), 0, "the caption lies outside the map");
  // The switch is above the photo, the legend below it.
  assert.ok((await toggle.boundingBox()).y < photo.y, "the switch is above the photo");
  assert.ok((await page.getByTestId("heatmap-legend").boundingBox()).y > photo.y + photo.height, "the legend is below it");

  const legend = page.getByTestId("heatmap-legend");
  assert.match(await legend.innerText(), /Heatmap: where the model looked — not proof of manipulation\./);
  assert.match(await page.getByTestId("heatmap-list").innerText(), /^Face 1: heatmap drawn, \d+% of its evidence/);
  assert.match(await page.getByTestId("heatmap-key").innerText(), /Grad-CAM of layer .+ of .+ \(float32 weights\)/);

  // The opacity slider from the keyboard: two steps down, then the end.
  const slider = page.getByRole("slider", { name: "Heatmap opacity" });
  const opacity = () => page.getByTestId("heatmaps").evaluate((element) => getComputedStyle(element).opacity);
  assert.equal(await opacity(), "0.7");
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await slider.getAttribute("aria-valuetext"), "60%");
  assert.equal(await opacity(), "0.6");
  await page.keyboard.press("End");
  assert.equal(await slider.getAttribute("aria-valuetext"), "100%");
  assert.equal(await opacity(), "1");
  for (let step = 0; step < 6; step += 1) await page.keyboard.press("ArrowLeft");
  assert.equal(await opacity(), "0.7");
  await page.evaluate(() => document.fonts.ready);
  await screenshot(page, "heatmap-photo");

  // Off hides the map without asking again; on shows it again from the kept answer.
  let uploads = 0;
  const count = (request) => request.url().endsWith("/playground") && (uploads += 1);
  page.on("request", count);
  await toggle.click();
  assert.equal(await page.getByTestId("heatmaps").count(), 0);
  await toggle.click();
  await map.waitFor();
  page.off("request", count);
  assert.equal(uploads, 0);
});

test("with the switch on, a video asks for maps at once; they show at their frames", async () => {
  const answered = page.waitForResponse((response) => response.url().endsWith("/playground"));
  await page.getByTestId("file-input").setInputFiles(env.video);
  const prediction = await (await answered).json();
  assert.ok(prediction.explanation, "the one upload asked for maps (explain=true)");
  await page.getByTestId("timeline").waitFor({ timeout: 90_000 });
  const frames = prediction.tracks.flatMap((track) => track.frames.filter((frame) => frame.heatmap));
  assert.ok(frames.length >= 1, "some person's frames have a map");
  assert.equal(await page.getByTestId("heatmap-mark").count(), frames.length, "the timeline rings each");
  const video = page.getByTestId("video");
  await video.evaluate((element) => new Promise((done) => {
    if (element.readyState >= 2) done();
    else element.addEventListener("loadeddata", done, { once: true });
  }));
  const localised = frames.find((frame) => frame.heatmap.localised);
  const entries = page.getByTestId("heatmap-list").getByRole("button");
  assert.equal(await entries.count(), frames.length, "the legend lists each map's moment");
  if (localised) {
    const name = new RegExp(`at ${localised.time_s.toFixed(1)} s: heatmap drawn.*Go to this moment`);
    await page.getByTestId("heatmap-list").getByRole("button", { name }).first().click();
    await page.waitForFunction(
      (time) => Math.abs(document.querySelector("[data-testid=video]").currentTime - time) < 0.05,
      localised.time_s,
    );
    await page.getByTestId("heatmap").first().waitFor();
  } else {
    assert.match(await page.getByTestId("heatmap-list").innerText(), /no localised evidence/);
  }
  await screenshot(page, "heatmap-video");
});

test("at phone width in dark mode the heatmap, its controls and legend fit and stay readable", async () => {
  let uploads = 0;
  const count = (request) => request.url().endsWith("/playground") && (uploads += 1);
  page.on("request", count);
  await page.getByTestId("history").getByRole("button").filter({ hasText: "kate_siegel.jpg" }).click();
  await page.getByTestId("heatmap").first().waitFor();
  page.off("request", count);
  assert.equal(uploads, 0, "the kept answer already has its maps");
  await page.getByRole("button", { name: "Dark mode" }).click();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  const texts = "[data-testid=heatmap-controls] label, [data-testid=heatmap-controls] p:not(:empty), [data-testid=heatmap-key] figcaption, [data-testid=heatmap-key] p, [data-testid=heatmap-key] li";
  const measured = await contrastRatios(page, texts);
  assert.ok(measured.length >= 6, "the switch, slider label, legend and face lines were measured");
  for (const { text, ratio } of measured) assert.ok(ratio >= 4.5, `"${text}" has contrast ${ratio.toFixed(2)}:1, below 4.5:1`);
  await screenshot(page, "heatmap-phone-dark");
});
