// End-to-end: several files dropped at once become one job on the real backend, whose
// embedded Celery worker judges them; the table is sorted, exported as CSV, and found again
// after a reload from the job's id in the page's address. Light, dark and phone width.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test as nodeTest } from "node:test";
import { LEVEL_NAMES, MEDIA, MISSING, contrastRatios, dropFiles, openPage, screenshot, start, wholePercent } from "./harness.mjs";

const test = (name, fn) => nodeTest(name, { skip: MISSING ?? false }, fn);

const PHOTOS = ["facenet_paul_rudd.jpg", "facenet_multiface.jpg", "blazeface_1face.png", "skimage_astronaut.png"];
// A JPEG cut short after its first bytes: the server must make it a failed row, not fail the job.
const CORRUPT = { name: "corrupt.jpg", mimeType: "image/jpeg", buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]) };

let env;
let page;
let job;

before(async () => {
  if (MISSING) return;
  env = await start();
  page = await env.context.newPage();
});
after(async () => env?.stop());

const shot = (name) => screenshot(page, `jobs-${name}`);
const table = () => page.getByTestId("job-table");
const TEXTS = "[data-testid=job-table] tbody th, [data-testid=job-table] [data-level], [data-testid=job-table] td p, [data-testid=job-progress-text]";
async function assertReadable(theme) {
  for (const { text, ratio } of await contrastRatios(page, TEXTS)) {
    assert.ok(ratio >= 4.5, `${theme}: "${text}" has contrast ${ratio.toFixed(2)}:1, below 4.5:1`);
  }
}
const names = () => table().locator("tbody th").allInnerTexts();

test("several dropped files, one of them corrupt, become one job with a row per file", async () => {
  await openPage(page, env.url);
  const files = PHOTOS.map((name) => ({
    name,
    mimeType: name.endsWith(".png") ? "image/png" : "image/jpeg",
    buffer: readFileSync(join(MEDIA, name)),
  }));
  const accepted = page.waitForResponse((response) => response.url().endsWith("/api/jobs") && response.request().method() === "POST");
  await dropFiles(page, "[data-testid=dropzone]", [...files, CORRUPT]);
  const answer = await accepted;
  assert.equal(answer.status(), 202);
  const { id, total } = await answer.json();
  assert.equal(total, 5);
  await page.waitForURL(`**/?job=${id}`);
  // The job is running or queued, or already done on a fast machine: its progress is shown while it runs.
  const panel = page.getByTestId("job");
  if (["queued", "running", "watching"].includes(await panel.getAttribute("data-state"))) {
    await page.getByRole("progressbar", { name: "Files judged" }).waitFor().catch(() => {});
  }

  await page.locator("[data-testid=job][data-state=succeeded]").waitFor({ timeout: 180_000 });
  job = await (await fetch(`${env.url}/api/jobs/${id}`)).json();
  assert.equal(job.state, "succeeded");
  assert.deepEqual(await names(), [...PHOTOS, "corrupt.jpg"], "rows in the order sent");
  const corrupt = job.files.find((row) => row.name === "corrupt.jpg");
  assert.equal(corrupt.status, "failed");
  const corruptRow = table().locator("tbody tr", { hasText: "corrupt.jpg" });
  assert.match(await corruptRow.innerText(), /Could not judge/);
  assert.ok((await corruptRow.innerText()).includes(corrupt.error.message), "the server's message is shown");
  for (const row of job.files.filter((file) => file.status === "succeeded")) {
    const shown = table().locator("tbody tr", { hasText: row.name });
    assert.equal(await shown.locator("[data-level]").getAttribute("data-level"), row.result.verdict);
    assert.match(await shown.innerText(), new RegExp(LEVEL_NAMES[row.result.verdict]));
    if (row.result.verdict !== "not_applicable") assert.match(await shown.innerText(), new RegExp(wholePercent(row.result.fake_probability)));
  }
  assert.match(await page.getByTestId("job-progress-text").innerText(), /^Done: 4 judged, 1 could not be judged\.$/);
  await assertReadable("light");
  await shot("done");
});

test("the table sorts by fake probability and by file, and says so to screen readers", async () => {
  const header = page.getByRole("columnheader", { name: /Fake probability/ });
  await header.getByRole("button").click();
  assert.equal(await header.getAttribute("aria-sort"), "descending");
  const judged = job.files.filter((row) => row.result && row.result.verdict !== "not_applicable");
  const expected = [...judged].sort((a, b) => b.result.fake_probability - a.result.fake_probability).map((row) => row.name);
  assert.deepEqual((await names()).slice(0, expected.length), expected, "highest fake probability first");
  assert.ok((await names()).indexOf("corrupt.jpg") >= expected.length, "a file without a score comes after the scored ones");

  const file = page.getByRole("columnheader", { name: /File/ });
  await file.getByRole("button").click();
  assert.equal(await file.getAttribute("aria-sort"), "ascending");
  assert.equal(await header.getAttribute("aria-sort"), "none");
  await file.getByRole("button").click();
  assert.equal(await file.getAttribute("aria-sort"), "descending");
  const descending = [...PHOTOS, "corrupt.jpg"].sort((a, b) => b.localeCompare(a));
  assert.deepEqual(await names(), descending);
  await shot("sorted");
});

test("Export CSV downloads the rows in the order shown, with the corrupt file's error", async () => {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  assert.equal(download.suggestedFilename(), `lopt-job-${job.id}.csv`);
  const lines = readFileSync(await download.path(), "utf8").trimEnd().split("\r\n");
  assert.equal(lines[0], "file,status,verdict,fake_probability,calibrated,verdict_reason,sha256,error_code,error_message");
  assert.deepEqual(
    lines.slice(1).map((line) => line.split(",")[0]),
    await names(),
  );
  const byName = Object.fromEntries(job.files.map((row) => [row.name, row]));
  for (const line of lines.slice(1)) {
    const [name, status, verdict, probability] = line.split(",");
    const row = byName[name];
    assert.equal(status, row.status);
    if (row.result) {
      assert.equal(verdict, row.result.verdict);
      assert.equal(Number(probability), row.result.fake_probability);
      assert.ok(line.includes(row.sha256));
    } else {
      assert.match(line, /,corrupt_media,/);
    }
  }
});

test("a reload finds the job again from its id in the address", async () => {
  await page.reload();
  await page.locator("[data-testid=job][data-state=succeeded]").waitFor({ timeout: 30_000 });
  assert.ok(page.url().endsWith(`?job=${job.id}`));
  assert.deepEqual(await names(), [...PHOTOS, "corrupt.jpg"]);
  assert.equal(await page.getByRole("columnheader", { name: /File/ }).getAttribute("aria-sort"), "none");
  await shot("reloaded");
});

test("stays readable in dark mode and fits a phone", async () => {
  await page.getByRole("button", { name: "Dark mode" }).click();
  await assertReadable("dark");
  await shot("dark");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot("phone-dark");
  await page.getByRole("button", { name: "Light mode" }).click();
});
