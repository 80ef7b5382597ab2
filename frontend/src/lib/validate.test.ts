import { describe, expect, it } from "vitest";
import { limits } from "../test/fixtures";
import { kindOf, refusal } from "./validate";

const file = (name: string, type: string, size: number) => new File([new Uint8Array(size)], name, { type });

describe("refusal", () => {
  it("accepts photos and videos within the API's limit", () => {
    expect(refusal(file("a.jpg", "image/jpeg", 10), limits)).toBeNull();
    expect(kindOf(file("a.mp4", "video/mp4", 10), limits)).toBe("video");
    expect(kindOf(file("a.JPG", "", 10), limits)).toBeNull();
  });

  it("refuses files over the API's upload limit, naming the limit", () => {
    expect(refusal(file("big.jpg", "image/jpeg", 1001), limits)).toMatch(/big\.jpg.* 1001 bytes.*up to 1000 bytes/);
    const five = { ...limits, max_upload_bytes: 5_000_000 };
    expect(refusal(file("big.png", "image/png", 5_000_001), five)).toMatch(/5,000,001 bytes.*up to 5,000,000 bytes/);
    expect(refusal(file("big.png", "image/png", 9_000_000), five)).toMatch(/is 8\.6 MB.*up to 4\.8 MB/);
    expect(refusal(file("big.jpg", "image/jpeg", 5000), limits)).toMatch(/is 4\.9 KB.*up to 1000 bytes/);
  });

  it("refuses types Lopt cannot read and empty files", () => {
    expect(refusal(file("notes.txt", "text/plain", 10), limits)).toMatch(/not a photo or video/);
    expect(refusal(file("doc.pdf", "application/pdf", 10), limits)).toMatch(/\.jpg/);
    expect(refusal(file("a.jpg", "image/jpeg", 0), limits)).toMatch(/empty/);
  });
});
