// End-to-end: the built app, served by the real backend, in real headless Chromium.
// The tests run in order on one page, so the session's history builds up as a user's would.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test as nodeTest } from "node:test";
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

const test = (name, fn) => nodeTest(name, { skip: MISSING ?? false }, fn);

let env;
let page;

before(async () => {
  if (MISSING) return;
  env = await start();
  page = await env.context.newPage();
});
after(async () => env?.stop());

const shot = (name) => screenshot(page, name);

const openApp = (path = "/") => openPage(page, env.url + path);

test("a dropped photo leads with its level and one score that every number agrees with", async () => {
  await openApp();
  const buffer = readFileSync(join(MEDIA, "facenet_multiface.jpg"));
  const answered = page.waitForResponse((response) => response.url().endsWith("/playground"));
  await dropFile(page, "[data-testid=dropzone]", { name: "multiface.jpg", mimeType: "image/jpeg", buffer });
  const prediction = await (await answered).json();
  const verdict = page.getByTestId("verdict");
  await verdict.waitFor({ timeout: 60_000 });
  assert.notEqual(prediction.verdict, "not_applicable", "faces were found, so the face model judges");
  assert.equal(await verdict.getAttribute("data-level"), prediction.verdict);
  assert.equal(await verdict.getByRole("heading").innerText(), LEVEL_NAMES[prediction.verdict]);
  const shown = wholePercent(prediction.fake_probability);
  const name = prediction.calibrated ? "Fake probability" : "Raw score";
  assert.equal(
    await page.getByTestId("verdict-score").innerText(),
    `${name} ${shown}${prediction.calibrated ? "" : " (not calibrated)"}`,
  );
  // The reason's own number is the same one.
  assert.equal(prediction.verdict_reason.match(/(\d+)%/)[0], shown);
  assert.match(await page.getByTestId("verdict-reason").innerText(), new RegExp(`Why: .*${shown}`));
  assert.match(await page.getByTestId("verdict-meaning").innerText(), /a model's estimate, not proof/);
  assert.match(await page.getByTestId("model-id").innerText(), /.+/);
  assert.equal(await page.getByText(/confidence/i).count(), 0);
  // Every face box is in its face's level, captioned with that face's own score.
  const boxes = page.getByTestId("face-box");
  assert.ok((await boxes.count()) >= 2, "expected a box per face");
  for (const [index, face] of prediction.faces.entries()) {
    const level = face.judged ? face.verdict : "not_judged";
    assert.equal(await boxes.nth(index).getAttribute("data-level"), level);
    if (face.judged) {
      assert.equal(
        await boxes.nth(index).locator("text").textContent(),
        `Face ${index + 1}: ${LEVEL_NAMES[face.verdict]} ${wholePercent(face.fake_probability)}`,
      );
    }
  }
  await shot("photo-verdict");
});

test("a generated video shows a timeline per person, and clicking it seeks", async () => {
  // Hold the request once it is sent, to see the progress indicator while the server works.
  let progressShown = false;
  await page.route("**/playground", async (route) => {
    await page.getByRole("progressbar").waitFor();
    progressShown = true;
    await shot("video-in-progress");
    await route.continue();
  });
  await page.getByTestId("file-input").setInputFiles(env.video);
  await page.getByTestId("timeline").waitFor({ timeout: 90_000 });
  await page.unroute("**/playground");
  assert.ok(progressShown, "a progress bar was shown during the upload");
  const people = await page.getByTestId("timeline-series").count();
  assert.ok(people >= 1, "expected at least one line on the timeline");
  // The levels' bands lie behind the lines, and the legend names each person's level.
  for (const level of ["authentic", "suspicious", "manipulated"]) {
    assert.equal(await page.getByTestId(`band-${level}`).count(), 1, `the ${level} band is drawn`);
  }
  assert.match(await page.getByTestId("timeline-legend").innerText(), /Person 1:\s*(Authentic|Suspicious|Manipulated) \d+%/);
  assert.match(await page.getByTestId("timeline-legend").innerText(), /Shading: authentic below \d+%/);
  const video = page.getByTestId("video");
  await video.evaluate((element) => new Promise((done) => {
    if (element.readyState >= 2) done();
    else element.addEventListener("loadeddata", done, { once: true });
  }));
  const chart = page.getByTestId("timeline").locator("svg").first();
  const box = await chart.boundingBox();
  await chart.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
  await page.waitForFunction(() => document.querySelector("[data-testid=video]").currentTime > 1.5);
  await page.getByTestId("face-box").first().waitFor();
  await shot("video-timeline");
});

test("a text file renamed .jpg is refused by the server in plain words", async () => {
  await page.getByTestId("file-input").setInputFiles({
    name: "notes.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.from("these are my notes, not a photo\n".repeat(20)),
  });
  const error = page.getByTestId("error");
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.innerText(), /not a photo or video Lopt can read/);
  assert.match(await error.innerText(), /not a recognised image or video/);
  await shot("error-unsupported");
});

test("a photo without a face is not applicable: the reason first, its score for reference only", async () => {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const paint = canvas.getContext("2d");
    const gradient = paint.createLinearGradient(0, 0, 320, 240);
    gradient.addColorStop(0, "#38bdf8");
    gradient.addColorStop(1, "#a3e635");
    paint.fillStyle = gradient;
    paint.fillRect(0, 0, 320, 240);
    return canvas.toDataURL("image/png").split(",")[1];
  });
  const buffer = Buffer.from(base64, "base64");
  await dropFile(page, "[data-testid=dropzone]", { name: "landscape.png", mimeType: "image/png", buffer });
  const verdict = page.getByTestId("verdict");
  await page.getByRole("heading", { name: "Not applicable" }).waitFor({ timeout: 60_000 });
  assert.equal(await verdict.getAttribute("data-level"), "not_applicable");
  assert.match(await page.getByTestId("verdict-reason").innerText(), /No face was found, and this detector judges faces only/);
  assert.match(
    await page.getByTestId("reference-score").innerText(),
    /^Score of the whole image, for reference only, not a verdict: (Fake probability|Raw score) \d+%/,
  );
  assert.match(await verdict.getByRole("note").innerText(), /for reference, not as a verdict/);
  assert.equal(await page.getByTestId("verdict-score").count(), 0, "no score is presented as a verdict");
  assert.equal(await page.getByTestId("score-scale").count(), 0, "no level scale for a file without a verdict");
  assert.match(await page.getByRole("status").innerText(), /Verdict for landscape\.png: Not applicable\./);
  await shot("photo-no-face");
});

test("files over the API's limit or of another type are refused before upload", async () => {
  const limits = await (await fetch(`${env.url}/api/limits`)).json();
  let uploads = 0;
  page.on("request", (request) => request.url().endsWith("/playground") && (uploads += 1));
  await page.getByTestId("file-input").setInputFiles({
    name: "huge.png",
    mimeType: "image/png",
    buffer: Buffer.alloc(limits.max_upload_bytes + 1),
  });
  assert.match(await page.getByTestId("refused").innerText(), /huge\.png.*accepts files up to/);
  await shot("refused-too-large");
  await page.getByTestId("file-input").setInputFiles({
    name: "report.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4"),
  });
  assert.match(await page.getByTestId("refused").innerText(), /not a photo or video Lopt can read/);
  assert.equal(uploads, 0);
});

test("at phone width in dark mode the history is kept and nothing overflows", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Dark mode" }).click();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("dark")), true);
  const history = page.getByTestId("history").getByRole("button");
  assert.ok((await history.count()) >= 3, "the photo, the video and the error are in the history");
  assert.match(await history.filter({ hasText: "landscape.png" }).innerText(), /Not applicable/);
  assert.match(await history.filter({ hasText: "notes.jpg" }).innerText(), /Failed/);
  await history.filter({ hasText: "multiface.jpg" }).focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("face-boxes").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot("phone-dark-history");
});

test("in dark mode the timeline's bands and a not-applicable verdict stay readable", async () => {
  const history = page.getByTestId("history").getByRole("button");
  await history.filter({ hasText: "panning-faces.webm" }).click();
  await page.getByTestId("band-suspicious").waitFor();
  await shot("phone-dark-video");
  await history.filter({ hasText: "landscape.png" }).click();
  await page.getByRole("heading", { name: "Not applicable" }).waitFor();
  const texts = "#verdict-heading, [data-testid=verdict-reason], [data-testid=verdict-meaning], [data-testid=reference-score]";
  const measured = await contrastRatios(page, texts);
  assert.equal(measured.length, 4);
  for (const { text, ratio } of measured) assert.ok(ratio >= 4.5, `"${text}" has contrast ${ratio.toFixed(2)}:1`);
  await shot("phone-dark-not-applicable");
});

test("client-side routes load the app, API routes still answer JSON", async () => {
  await openApp("/some/client/route");
  const response = await page.goto(`${env.url}/api/nope`);
  assert.equal(response.status(), 404);
  assert.equal((await response.json()).error.code, "not_found");
});
