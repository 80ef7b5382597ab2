// Starts the real backend (frontend/e2e/backend.py) and Debian's Chromium for the browser tests.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../..");
export const MEDIA = join(process.env.LOPT_SHARED_DATA ?? resolve(ROOT, "../shared/data"), "media");
export const SCREENSHOTS = join(here, "screenshots");

// Every test drops the shared real photos (or a video made from one): without the shared
// data folder they are skipped, saying why, instead of failing on a missing file. In CI
// (CI=true) the missing folder fails the run instead: skipped tests would pass unseen.
export const MISSING = existsSync(MEDIA) ? null : `shared media not found at ${MEDIA}; set LOPT_SHARED_DATA`;
if (MISSING && ["true", "1", "yes"].includes((process.env.CI ?? "").trim().toLowerCase())) {
  throw new Error(`CI=true and the browser tests cannot run: ${MISSING}`);
}
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on("error", fail);
  });
}

async function waitUntilReady(url, backend, seconds) {
  for (let waited = 0; waited < seconds * 4; waited += 1) {
    if (backend.exitCode !== null) throw new Error(`the backend exited with ${backend.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  throw new Error(`the backend was not ready at ${url} within ${seconds} s`);
}

/** The backend on a free port, a generated video, and a fresh headless Chromium profile.
 * ``env``: extra settings for this backend (e.g. a LOPT_VERDICT_* policy). */
export async function start({ env = {} } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), "lopt-e2e-"));
  const video = join(scratch, "panning-faces.webm");
  const port = await freePort();
  const python = process.env.LOPT_PYTHON ?? join(ROOT, ".venv/bin/python");
  const backend = spawn(python, [join(here, "backend.py"), String(port), video], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, backend, 180);
  } catch (error) {
    backend.kill();
    throw error;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const stop = async () => {
    await context.close();
    // Wait for the backend to exit before deleting its folders: its job worker polls them.
    const exited = backend.exitCode !== null ? Promise.resolve() : new Promise((done) => backend.once("exit", done));
    backend.kill();
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  };
  return { url, video, context, stop };
}

export const LEVEL_NAMES = {
  authentic: "Authentic",
  suspicious: "Suspicious",
  manipulated: "Manipulated",
  not_applicable: "Not applicable",
};

/** A 0..1 score as the server's sentences write it (Python's `{:.0%}`, ties to even). */
export function wholePercent(p) {
  const scaled = p * 100;
  let whole = Math.round(scaled);
  if (whole - scaled === 0.5 && whole % 2 !== 0) whole -= 1;
  return `${whole}%`;
}

/** Open the app and wait until it has read the service's limits. */
export async function openPage(page, url) {
  await page.goto(url);
  await page.getByRole("button", { name: "Choose a file" }).waitFor();
  await page.waitForFunction(() => !document.querySelector("button[disabled]"));
}

/** A full-page screenshot once the verdict's entrance animation has finished. */
export async function screenshot(page, name) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("[data-testid=verdict]")].every((element) => getComputedStyle(element).opacity === "1"),
  );
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Drop a file on an element the way a browser does: a real DataTransfer in a drop event. */
export async function dropFile(page, selector, file) {
  await dropFiles(page, selector, [file]);
}

/** Drop several files ({ name, mimeType, buffer } each) at once, as one DataTransfer. */
export async function dropFiles(page, selector, files) {
  const transfer = await page.evaluateHandle(
    (files) => {
      const data = new DataTransfer();
      for (const { name, mimeType, base64 } of files) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        data.items.add(new File([bytes], name, { type: mimeType }));
      }
      return data;
    },
    files.map(({ name, mimeType, buffer }) => ({ name, mimeType, base64: buffer.toString("base64") })),
  );
  await page.dispatchEvent(selector, "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(selector, "drop", { dataTransfer: transfer });
}

/** The contrast ratio (WCAG 2) of each element's text against what lies behind it: the
 * colours as the browser resolved them, the backgrounds of its ancestors laid on top of
 * each other as the page paints them. */
export function contrastRatios(page, selector) {
  return page.$$eval(selector, (elements) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const paint = canvas.getContext("2d", { willReadFrequently: true });
    const lay = (color) => {
      paint.fillStyle = color;
      paint.fillRect(0, 0, 1, 1);
      return [...paint.getImageData(0, 0, 1, 1).data];
    };
    const luminance = ([r, g, b]) => {
      const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    return elements.map((element) => {
      const chain = [];
      for (let node = element; node; node = node.parentElement) chain.unshift(getComputedStyle(node).backgroundColor);
      paint.clearRect(0, 0, 1, 1);
      lay("#fff");
      let background;
      for (const color of chain) background = lay(color);
      const text = lay(getComputedStyle(element).color);
      const [light, dark] = [luminance(background), luminance(text)].sort((a, b) => b - a);
      return { text: element.textContent.trim().slice(0, 40), ratio: (light + 0.05) / (dark + 0.05) };
    });
  });
}
