// Starts the real backend (frontend/e2e/backend.py) and Debian's Chromium for the browser tests.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../..");
export const MEDIA = join(process.env.LOPT_SHARED_DATA ?? resolve(ROOT, "../shared/data"), "media");
export const SCREENSHOTS = join(here, "screenshots");
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

/** The backend on a free port, a generated video, and a fresh headless Chromium profile. */
export async function start() {
  const scratch = mkdtempSync(join(tmpdir(), "lopt-e2e-"));
  const video = join(scratch, "panning-faces.webm");
  const port = await freePort();
  const python = process.env.LOPT_PYTHON ?? join(ROOT, ".venv/bin/python");
  const backend = spawn(python, [join(here, "backend.py"), String(port), video], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: process.env,
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
    backend.kill();
    rmSync(scratch, { recursive: true, force: true });
  };
  return { url, video, context, stop };
}

/** Drop a file on an element the way a browser does: a real DataTransfer in a drop event. */
export async function dropFile(page, selector, { name, mimeType, buffer }) {
  const transfer = await page.evaluateHandle(
    ({ name, mimeType, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: mimeType }));
      return data;
    },
    { name, mimeType, base64: buffer.toString("base64") },
  );
  await page.dispatchEvent(selector, "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(selector, "drop", { dataTransfer: transfer });
}
