import { describe, expect, it } from "vitest";
import { toApiError } from "../api/client";
import { explain } from "./errors";

const body = (code: string, message: string) => ({ error: { code, message } });

describe("explain", () => {
  it.each([
    [413, "media_too_large", "This file is too large", false],
    [415, "unsupported_media", "This is not a photo or video Lopt can read", false],
    [422, "corrupt_media", "This file is damaged", false],
    [503, "overloaded", "Lopt is busy", true],
  ])("puts HTTP %i %s in plain words", (status, code, title, canRetry) => {
    const plain = explain(toApiError(status, body(code, "Server advice."), status === 503 ? "2" : null));
    expect(plain.title).toBe(title);
    expect(plain.detail).toContain("Server advice.");
    expect(plain.canRetry).toBe(canRetry);
  });

  it("tells when to try again when busy", () => {
    expect(explain(toApiError(503, body("overloaded", "Busy."), "3")).detail).toBe("Busy. Try again in 3 s.");
  });

  it("copes with a body that is not Lopt's error shape", () => {
    const plain = explain(toApiError(502, "<html>bad gateway</html>", null));
    expect(plain.detail).toBe("Lopt answered with HTTP 502.");
  });
});
