// Jobs on the page: which uploads become jobs, the job's address, its rows sorted and as CSV.
import type { FileRow, JobStatus, Limits } from "../api/client";
import { LEVELS, type Level } from "./levels";
import { kindOf, refusal } from "./validate";

/** A video longer than this is sent as a job instead of to /playground: a request held open
 * for minutes breaks on proxies and page reloads, a job survives both. One minute of video
 * is judged in seconds, so a shorter one keeps the direct path with its live progress. */
export const LONG_VIDEO_SECONDS = 60;

/** A video whose length the browser cannot read (a format it does not play) goes as a job
 * from this size on: about a minute of 1080p. */
export const LONG_VIDEO_BYTES = 100 * 1024 * 1024;

/** Seconds between two looks at a running job. */
export const POLL_MS = 1000;

const ZIP_TYPES = ["application/zip", "application/x-zip-compressed"];

export function isZip(file: File): boolean {
  return ZIP_TYPES.includes(file.type) || file.name.toLowerCase().endsWith(".zip");
}

/** Whether one video goes as a job: longer than LONG_VIDEO_SECONDS, or of unknown length and large. */
export function isLongVideo(seconds: number | null, bytes: number): boolean {
  return seconds === null ? bytes >= LONG_VIDEO_BYTES : seconds > LONG_VIDEO_SECONDS;
}

/** Why a video of ``seconds`` is refused before uploading it, or null. */
export function lengthRefusal(name: string, seconds: number | null, limits: Limits): string | null {
  if (seconds === null || seconds <= limits.max_video_seconds) return null;
  const minutes = (value: number) => `${Math.ceil(value / 60)} min`;
  return (
    `“${name}” is ${minutes(seconds)} long; this server judges videos up to ` +
    `${minutes(limits.max_video_seconds)}. Cut it into shorter parts and send them together.`
  );
}

/** Where an upload goes: one photo or short video to /playground, as ever; a long video,
 * a zip or several files as one job (files Lopt cannot read are left out, saying why). */
export type Plan =
  | { route: "direct"; file: File }
  | { route: "job"; files: File[]; leftOut: string[] }
  | { route: "refused"; why: string };

/** ``seconds``: the one video's length when the browser could read it. */
export function planUpload(files: File[], limits: Limits, seconds: number | null = null): Plan {
  const why = (file: File) => (isZip(file) ? (file.size === 0 ? `“${file.name}” is empty.` : null) : refusal(file, limits));
  if (files.length === 1 && !isZip(files[0])) {
    const [file] = files;
    const refused = why(file) ?? (kindOf(file, limits) === "video" ? lengthRefusal(file.name, seconds, limits) : null);
    if (refused) return { route: "refused", why: refused };
    return kindOf(file, limits) === "video" && isLongVideo(seconds, file.size) ? { route: "job", files, leftOut: [] } : { route: "direct", file };
  }
  const accepted = files.filter((file) => why(file) === null);
  const leftOut = files.map(why).filter((reason): reason is string => reason !== null);
  if (accepted.length === 0) return { route: "refused", why: leftOut.join(" ") };
  return { route: "job", files: accepted, leftOut };
}

export const FINISHED: ReadonlySet<JobStatus["state"]> = new Set(["succeeded", "failed", "cancelled", "expired"]);

/** The job id in the page's address (``?job=ID``), so a reload finds the job again. */
export function jobInAddress(): string | null {
  return new URLSearchParams(window.location.search).get("job");
}

export function putJobInAddress(id: string | null): void {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set("job", id);
  else url.searchParams.delete("job");
  window.history.replaceState(window.history.state, "", url);
}

export type SortKey = "file" | "verdict" | "probability" | "status";
export type Direction = "ascending" | "descending";
export interface Sort {
  key: SortKey;
  direction: Direction;
}

/** Levels from least to most alarming; "not applicable" (no verdict) after them. */
const LEVEL_ORDER: Level[] = ["authentic", "suspicious", "manipulated", "not_applicable"];
const STATUS_ORDER: FileRow["status"][] = ["failed", "pending", "succeeded"];

/** A row's value under ``key``; null when it has none (it then sorts last either way). */
function valueOf(row: FileRow, key: SortKey): string | number | null {
  switch (key) {
    case "file":
      return row.name.toLowerCase();
    case "verdict":
      return row.result ? LEVEL_ORDER.indexOf(row.result.verdict) : null;
    case "probability":
      return row.result && row.result.verdict !== "not_applicable" ? row.result.fake_probability : null;
    case "status":
      return STATUS_ORDER.indexOf(row.status);
  }
}

/** The rows in ``sort``'s order; rows equal under it keep the order they were sent in. */
export function sortRows(rows: FileRow[], sort: Sort): FileRow[] {
  const sign = sort.direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: valueOf(row, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      }
      const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

export const CSV_COLUMNS = [
  "file",
  "status",
  "verdict",
  "fake_probability",
  "calibrated",
  "verdict_reason",
  "sha256",
  "error_code",
  "error_message",
] as const;

/** One CSV cell: quoted when needed; text a spreadsheet would run as a formula is prefixed
 * with an apostrophe (file names come from whoever sent them). */
function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV (RFC 4180, CRLF line ends), one line per file, in the order given. */
export function toCsv(rows: FileRow[]): string {
  const lines = rows.map((row) => {
    const result = row.result;
    return [
      row.name,
      row.status,
      result ? result.verdict : null,
      result ? result.fake_probability : null,
      result ? result.calibrated : null,
      result ? result.verdict_reason : null,
      row.sha256,
      row.error?.code,
      row.error?.message,
    ]
      .map(cell)
      .join(",");
  });
  return [CSV_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
}

/** A row's verdict in words, for the table and screen readers. */
export function levelName(row: FileRow): string | null {
  return row.result ? LEVELS[row.result.verdict].name : null;
}
