// End-to-end: provenance beside the verdict, with nothing stubbed. The real backend reads
// Content Credentials with the C2PA SDK from three uploads: a photo signed at test time with
// the SDK's public test certificate and declared AI-generated (e2e/provenance.py), the shared
// XCA.jpg whose pixels changed after signing, and a freshly drawn JPEG that declares nothing.
// Then a server that trusts the test chain and lets such a declaration decide the verdict.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { LEVEL_NAMES, MEDIA, MISSING, ROOT, contrastRatios, dropFile, openPage, screenshot, start, wholePercent } from "./harness.mjs";

const C2PA = resolve(MEDIA, "../provenance/c2pa");
const SKIP = MISSING ?? (existsSync(C2PA) ? null : `shared provenance files not found at ${C2PA}; set LOPT_SHARED_DATA`);
if (SKIP && ["true", "1", "yes"].includes((process.env.CI ?? "").trim().toLowerCase())) {
  throw new Error(`CI=true and the provenance browser tests cannot run: ${SKIP}`);
}

let scratch;
let files;

before(() => {
  if (SKIP) return;
  scratch = mkdtempSync(join(tmpdir(), "lopt-e2e-provenance-"));
  const python = process.env.LOPT_PYTHON ?? join(ROOT, ".venv/bin/python");
  const written = execFileSync(python, [join(ROOT, "frontend/e2e/provenance.py"), scratch], { cwd: ROOT, encoding: "utf8" });
  files = JSON.parse(written.trim().split("\n").at(-1));
});
after(() => scratch && rmSync(scratch, { recursive: true, force: true }));

/** Drop ``path`` on the page as ``name`` and return the server's answer once the panel shows. */
async function upload(page, path, name) {
  const answered = page.waitForResponse((response) => response.url().endsWith("/playground"));
  await dropFile(page, "[data-testid=dropzone]", { name, mimeType: "image/jpeg", buffer: readFileSync(path) });
  const prediction = await (await answered).json();
  // The new verdict enters once the last one has left: wait for it, then its panel.
  await page.getByTestId("verdict").filter({ hasText: `Verdict for ${name}` }).waitFor({ timeout: 60_000 });
  await page.getByTestId("provenance").waitFor();
  assert.equal(await page.getByTestId("verdict").getAttribute("data-source"), prediction.verdict_source);
  return prediction;
}

const text = async (page, testId) => (await page.getByTestId(testId).innerText()).replace(/\s+/g, " ").trim();

/** The panel is its own block, after the verdict and before the photo, with its headings. */
async function assertPanel(page) {
  const panel = page.getByRole("region", { name: "Provenance" });
  assert.equal(await panel.getByRole("heading", { level: 2, name: "Provenance" }).count(), 1);
  assert.equal(await panel.getByRole("heading", { level: 3, name: "Content Credentials (C2PA)" }).count(), 1);
  assert.equal(await panel.getByRole("heading", { level: 3, name: "Metadata (unsigned)" }).count(), 1);
  const verdict = await page.getByTestId("verdict").boundingBox();
  const shown = await panel.boundingBox();
  const photo = await page.getByRole("img", { name: /^Preview of/ }).boundingBox();
  assert.ok(shown.y >= verdict.y + verdict.height, "the panel is below the verdict, not inside it");
  assert.ok(shown.y + shown.height <= photo.y, "and above the photo");
  return panel;
}

describe("a server that shows provenance beside the model's verdict (the default)", { skip: SKIP ?? false }, () => {
  let env;
  let page;
  before(async () => {
    env = await start();
    page = await env.context.newPage();
    await openPage(page, env.url);
  });
  after(async () => env?.stop());

  test("a signed AI-generated photo: who signed, with what, what it declares, not trusted, and what that does not prove", async () => {
    const prediction = await upload(page, files.signed, "ai-generated.jpg");
    assert.equal(prediction.provenance.finding.kind, "ai_generated_declared");
    assert.equal(prediction.provenance.finding.basis, "signed_untrusted", "the test certificate is not on the C2PA trust list");
    assert.equal(prediction.verdict_source, "model");
    await assertPanel(page);
    assert.equal(await text(page, "provenance-badge"), "Declared AI-generated");
    assert.equal(await text(page, "provenance-basis"), "Signed, signer not on the trust list");
    assert.equal(await text(page, "provenance-summary"), prediction.provenance.finding.summary);
    assert.match(await text(page, "provenance-proves"), /^What this proves, and what it does not: .*who signed is not established/);
    assert.equal(await text(page, "c2pa-state"), "Valid, signer not on the trust list.");
    assert.equal(await text(page, "c2pa-signer"), "C2PA Test Signing Cert (certificate: C2PA Signer)");
    assert.match(await page.getByTestId("c2pa").innerText(), /Credentials written by\s+lopt-tests 1/i);
    assert.equal(await text(page, "c2pa-action"), "Created by ImageGen 2: Trained algorithmic media (AI-generated)");
    assert.equal(await text(page, "metadata-empty"), "No camera, software, source type or generator text in the file.");
    // Beside, never instead: the verdict is the model's, with its own one score.
    assert.equal(await page.getByTestId("verdict").getAttribute("data-level"), prediction.verdict);
    if (prediction.verdict !== "not_applicable") {
      assert.match(await text(page, "verdict-score"), new RegExp(wholePercent(prediction.fake_probability)));
    }
    const marker = page.getByTestId("history").getByRole("img", { name: /^Content Credentials: Declared AI-generated; signed, signer not on/ });
    assert.equal(await marker.count(), 1, "the history row carries the signed declaration's mark");
    await page.evaluate(() => document.fonts.ready);
    await screenshot(page, "provenance-signed-ai");
  });

  test("the shared XCA.jpg: credentials that fail verification are shown as tampered", async () => {
    const prediction = await upload(page, join(C2PA, "XCA.jpg"), "XCA.jpg");
    assert.equal(prediction.provenance.finding.kind, "tampered");
    await assertPanel(page);
    assert.equal(await text(page, "provenance-badge"), "Tampered: Content Credentials fail verification");
    assert.equal(await text(page, "provenance-basis"), "Signature fails verification");
    assert.equal(await text(page, "c2pa-state"), "Invalid: fails verification.");
    assert.match(await text(page, "c2pa-reason"), /content changed after signing/);
    const failures = await page.getByTestId("c2pa-failure").allInnerTexts();
    assert.ok(failures.some((line) => line.startsWith("assertion.dataHash.mismatch")), `failures: ${failures}`);
    assert.match(await text(page, "provenance-proves"), /nothing it declares can be relied on\. That alone does not make the picture fake\./);
    await screenshot(page, "provenance-tampered");
  });

  test("a freshly drawn JPEG declares nothing, and the page says that proves nothing", async () => {
    const prediction = await upload(page, files.plain, "plain.jpg");
    assert.equal(prediction.provenance.finding.kind, "none");
    await assertPanel(page);
    assert.equal(await text(page, "provenance-badge"), "Nothing declared");
    assert.equal(await text(page, "provenance-basis"), "Nothing signed or declared");
    assert.equal(await text(page, "c2pa-state"), "None in the file.");
    assert.equal(await page.getByTestId("c2pa-signer").count(), 0);
    assert.match(await text(page, "provenance-proves"), /No declaration proves nothing either way/);
    const rows = page.getByTestId("history").getByRole("button");
    assert.equal(await rows.filter({ hasText: "plain.jpg" }).getByTestId("provenance-icon").count(), 0, "no mark without a signature");
    await screenshot(page, "provenance-plain");
  });

  test("at phone width in dark mode the panel fits and its texts stay readable", async () => {
    await page.getByRole("button", { name: "Dark mode" }).click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId("history").getByRole("button").filter({ hasText: "ai-generated.jpg" }).focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("provenance-badge").filter({ hasText: "Declared AI-generated" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    const texts = ["h2", "h3", "p", "dt", "dd", "li", "[data-testid=provenance-badge]", "[data-testid=provenance-basis]"]
      .map((selector) => `[data-testid=provenance] ${selector}`)
      .join(", ");
    const measured = await contrastRatios(page, texts);
    assert.ok(measured.length >= 12, "the panel's headings, lines, badge and fields were measured");
    for (const { text: shown, ratio } of measured) assert.ok(ratio >= 4.5, `"${shown}" has contrast ${ratio.toFixed(2)}:1, below 4.5:1`);
    await screenshot(page, "provenance-phone-dark");
  });
});

describe("a server that trusts the test chain and lets trusted credentials decide", { skip: SKIP ?? false }, () => {
  let env;
  let page;
  before(async () => {
    env = await start({ env: { LOPT_PROVENANCE_TRUST_LIST: files.trust_list, LOPT_PROVENANCE_DECIDES: "true" } });
    page = await env.context.newPage();
    await openPage(page, env.url);
  });
  after(async () => env?.stop());

  test("says the verdict came from Content Credentials, with the model's own verdict beside it", async () => {
    const prediction = await upload(page, files.signed, "ai-generated.jpg");
    assert.equal(prediction.verdict_source, "provenance");
    assert.equal(prediction.verdict, "manipulated");
    await assertPanel(page);
    assert.equal(await page.locator("#verdict-heading").innerText(), "Manipulated");
    assert.equal(await text(page, "verdict-source"), "from Content Credentials");
    assert.equal(await page.getByTestId("verdict-score").count(), 0, "the model's score is not shown as this verdict's number");
    const own = page.getByTestId("model-verdict");
    assert.equal(await own.getAttribute("data-level"), prediction.model_verdict);
    assert.match(await text(page, "model-verdict"), new RegExp(`^The model's own verdict: ${LEVEL_NAMES[prediction.model_verdict]}[,;] .*${wholePercent(prediction.fake_probability)}`));
    assert.equal(await text(page, "provenance-basis"), "Signed, signer on the trust list");
    assert.equal(await text(page, "c2pa-state"), "Valid, signer on the trust list.");
    assert.match(await page.getByRole("status").innerText(), /^Verdict for ai-generated\.jpg: Manipulated, from Content Credentials; the model's own verdict: /);
    await page.evaluate(() => document.fonts.ready);
    await screenshot(page, "provenance-decided");
  });
});
