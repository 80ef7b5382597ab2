import { defineConfig } from "@hey-api/openapi-ts";

// The schema is saved from the app by `make frontend/openapi.json`; the client is generated.
export default defineConfig({
  input: "openapi.json",
  output: { path: "src/api/generated", format: false, lint: false },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
});
