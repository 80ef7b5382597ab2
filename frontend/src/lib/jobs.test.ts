import { describe, expect, it } from "vitest";
import type { FileRow } from "../api/client";
import { limits, photoAt } from "../test/fixtures";
import { isLongVideo, planUpload, sortRows, toCsv } from "./jobs";

const judged = (name: string, level: "authentic" | "suspicious" | "manipulated" | "not_applicable", p: number): FileRow => ({
  name,
  sha256: `sha-${name}`,
  status: "succeeded",
  result: photoAt(level, p),
  error: null,
});
const broken: FileRow = {
  name: "broken.jpg",
  sha256: "sha-broken",
  status: "failed",
  result: null,
  error: { code: "corrupt_media", message: "The file is damaged, e.g. cut short. Send the original." },
};
const waiting: FileRow = { name: "Later.png", status: "pending" };
const rows = [judged("b.jpg", "suspicious", 0.5), broken, judged("a.jpg", "manipulated", 0.93), waiting, judged("c.jpg", "authentic", 0.05), judged("d.jpg", "not_applicable", 0.7)];
const names = (sorted: FileRow[]) => sorted.map((row) => row.name);

describe("sortRows", () => {
  it("sorts by file name, case-insensitively, both ways", () => {
    expect(names(sortRows(rows, { key: "file", direction: "ascending" }))).toEqual(["a.jpg", "b.jpg", "broken.jpg", "c.jpg", "d.jpg", "Later.png"]);
    expect(names(sortRows(rows, { key: "file", direction: "descending" }))).toEqual(["Later.png", "d.jpg", "c.jpg", "broken.jpg", "b.jpg", "a.jpg"]);
  });

  it("sorts by verdict level from authentic to manipulated, not applicable after, files without one last", () => {
    expect(names(sortRows(rows, { key: "verdict", direction: "ascending" }))).toEqual(["c.jpg", "b.jpg", "a.jpg", "d.jpg", "broken.jpg", "Later.png"]);
    expect(names(sortRows(rows, { key: "verdict", direction: "descending" }))).toEqual(["d.jpg", "a.jpg", "b.jpg", "c.jpg", "broken.jpg", "Later.png"]);
  });

  it("sorts by fake probability, leaving out the reference-only score of a not-applicable file", () => {
    expect(names(sortRows(rows, { key: "probability", direction: "descending" }))).toEqual(["a.jpg", "b.jpg", "c.jpg", "broken.jpg", "Later.png", "d.jpg"]);
    expect(names(sortRows(rows, { key: "probability", direction: "ascending" }))).toEqual(["c.jpg", "b.jpg", "a.jpg", "broken.jpg", "Later.png", "d.jpg"]);
  });

  it("sorts by status, failed first, keeping the sent order among equals", () => {
    expect(names(sortRows(rows, { key: "status", direction: "ascending" }))).toEqual(["broken.jpg", "Later.png", "b.jpg", "a.jpg", "c.jpg", "d.jpg"]);
  });
});

describe("toCsv", () => {
  it("writes a header and one line per file, quoting what needs it and defusing formulas", () => {
    const formula: FileRow = { ...judged("=HYPERLINK(1).jpg", "authentic", 0.05), sha256: null };
    const csv = toCsv([judged("a.jpg", "manipulated", 0.93), broken, waiting, formula]);
    expect(csv.split("\r\n")).toEqual([
      "file,status,verdict,fake_probability,calibrated,verdict_reason,sha256,error_code,error_message",
      `a.jpg,succeeded,manipulated,0.93,true,"The model's fake probability, 93%, is at or above 80%, where it calls a file manipulated.",sha-a.jpg,,`,
      `broken.jpg,failed,,,,,sha-broken,corrupt_media,"The file is damaged, e.g. cut short. Send the original."`,
      "Later.png,pending,,,,,,,",
      `'=HYPERLINK(1).jpg,succeeded,authentic,0.05,true,"The model's fake probability, 5%, is below 20%: it finds no sign of manipulation.",,,`,
      "",
    ]);
  });

  it("doubles quotes inside a quoted cell", () => {
    expect(toCsv([{ name: 'say "hi", ok.jpg', status: "pending" }]).split("\r\n")[1]).toBe('"say ""hi"", ok.jpg",pending,,,,,,,');
  });
});

describe("planUpload", () => {
  const photo = new File(["jpeg"], "photo.jpg", { type: "image/jpeg" });
  const video = new File(["webm"], "talk.webm", { type: "video/webm" });
  const roomy = { ...limits, max_video_seconds: 3600 };

  it("sends one photo or short video straight to /playground, as ever", () => {
    expect(planUpload([photo], limits)).toEqual({ route: "direct", file: photo });
    expect(planUpload([video], roomy, 45)).toEqual({ route: "direct", file: video });
  });

  it("sends a long video as a job, and refuses one longer than the server judges", () => {
    expect(planUpload([video], roomy, 40 * 60)).toEqual({ route: "job", files: [video], leftOut: [] });
    expect(planUpload([video], limits, 40 * 60)).toEqual({
      route: "refused",
      why: "“talk.webm” is 40 min long; this server judges videos up to 1 min. Cut it into shorter parts and send them together.",
    });
    expect(isLongVideo(null, 200 * 1024 * 1024)).toBe(true);
    expect(isLongVideo(null, 1024)).toBe(false);
  });

  it("sends several files or a zip as one job, leaving out what Lopt cannot read", () => {
    const pdf = new File(["%PDF"], "notes.pdf", { type: "application/pdf" });
    const zip = new File(["PK"], "event.zip", { type: "application/zip" });
    const plan = planUpload([photo, pdf, video], limits);
    expect(plan).toMatchObject({ route: "job", files: [photo, video] });
    expect(plan.route === "job" && plan.leftOut[0]).toMatch(/^“notes\.pdf” is not a photo or video Lopt can read/);
    expect(planUpload([zip], limits)).toEqual({ route: "job", files: [zip], leftOut: [] });
    expect(planUpload([pdf, pdf], limits).route).toBe("refused");
  });
});
