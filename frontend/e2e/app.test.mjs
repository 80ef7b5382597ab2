// End-to-end: the built app, served by the real backend, in real headless Chromium.
// The tests run in order on one page, so the session's history builds up as a user's would.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test as nodeTest } from "node:test";
import { MEDIA, SCREENSHOTS, dropFile, start } from "./harness.mjs";

// Every test drops the shared real photo (or a video made from it): without the shared
// data folder they are skipped, saying why, instead of failing on a missing file. In CI
// (CI=true) the missing folder fails the run instead: skipped tests would pass unseen.
const missing = existsSync(MEDIA) ? null : `shared media not found at ${MEDIA}; set LOPT_SHARED_DATA`;
if (missing && ["true", "1", "yes"].includes((process.env.CI ?? "").trim().toLowerCase())) {
  throw new Error(`CI=true and the browser tests cannot run: ${missing}`);
}
const test = (name, fn) => nodeTest(name, { skip: missing ?? false }, fn);

let env;
let page;

before(async () => {
  if (missing) return;
  env = await start();
  page = await env.context.newPage();
});
after(async () => env?.stop());

const shot = (name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function openApp(path = "/") {
  await page.goto(env.url + path);
  await page.getByRole("button", { name: "Choose a file" }).waitFor();
  await page.waitForFunction(() => !document.querySelector("button[disabled]"));
}

test("a dropped photo shows the verdict, its model and a box per face", async () => {
  await openApp();
  const buffer = readFileSync(join(MEDIA, "facenet_multiface.jpg"));
  await dropFile(page, "[data-testid=dropzone]", { name: "multiface.jpg", mimeType: "image/jpeg", buffer });
  const verdict = page.getByTestId("verdict");
  await verdict.waitFor({ timeout: 60_000 });
  assert.match(await verdict.getByRole("heading").innerText(), /^(Real|Fake)$/);
  assert.equal(await verdict.getAttribute("data-tone").then((t) => ["real", "fake"].includes(t)), true);
  assert.match(await page.getByTestId("model-id").innerText(), /.+/);
  assert.match(await page.getByTestId("probability-Fake").innerText(), /^\d+%$/);
  const boxes = await page.getByTestId("face-box").count();
  assert.ok(boxes >= 2, `expected a box per face, got ${boxes}`);
  assert.match(await page.getByTestId("face-boxes").getAttribute("aria-label"), /Face 1: (Real|Fake) \d+%/);
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

test("a photo without a face is flagged: whole image judged, with the service's note", async () => {
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
  await page.getByRole("heading", { name: "No face found" }).waitFor({ timeout: 60_000 });
  assert.equal(await verdict.getAttribute("data-tone"), "caution");
  assert.match(await verdict.getByRole("alert").innerText(), /face/i);
  assert.match(await verdict.innerText(), /whole image was judged instead: (Real|Fake)/);
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
  await history.filter({ hasText: "multiface.jpg" }).focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("face-boxes").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot("phone-dark-history");
});

test("client-side routes load the app, API routes still answer JSON", async () => {
  await openApp("/some/client/route");
  const response = await page.goto(`${env.url}/api/nope`);
  assert.equal(response.status(), 404);
  assert.equal((await response.json()).error.code, "not_found");
});
