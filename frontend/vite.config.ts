/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.LOPT_API ?? "http://127.0.0.1:8000";
const proxied = ["/api", "/playground", "/health", "/ready", "/docs", "/openapi.json"];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    // Served by the FastAPI app itself (lopt/api/static.py); never committed.
    outDir: "../backend/lopt/static",
    emptyOutDir: true,
  },
  server: { proxy: Object.fromEntries(proxied.map((path) => [path, api])) },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
