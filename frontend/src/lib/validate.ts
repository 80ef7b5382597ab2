import type { Limits } from "../api/client";
import { formatBytes } from "./format";

export type MediaKind = "image" | "video";

/** The file's likely kind from what the browser says, or null if Lopt cannot read it. */
export function kindOf(file: File, limits: Limits): MediaKind | null {
  if (limits.image_mime_types.includes(file.type)) return "image";
  if (limits.video_mime_types.includes(file.type)) return "video";
  const dot = file.name.lastIndexOf(".");
  const extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
  if (!limits.extensions.includes(extension)) return null;
  return file.type.startsWith("video/") ? "video" : file.type.startsWith("image/") ? "image" : null;
}

/** Why the file would be refused before uploading it, or null when it may be sent.
 * The server still checks the bytes: this only saves a pointless upload. */
export function refusal(file: File, limits: Limits): string | null {
  if (file.size === 0) return `“${file.name}” is empty. Choose a photo or a video.`;
  if (file.size > limits.max_upload_bytes) {
    // Exact bytes when rounding would make the file look as large as the limit.
    const exact = formatBytes(file.size) === formatBytes(limits.max_upload_bytes);
    const size = (bytes: number) => (exact ? `${bytes.toLocaleString("en-US")} bytes` : formatBytes(bytes));
    return (
      `“${file.name}” is ${size(file.size)}; Lopt accepts files up to ` +
      `${size(limits.max_upload_bytes)}. Send a smaller or shorter file.`
    );
  }
  if (kindOf(file, limits) === null) {
    return (
      `“${file.name}” is not a photo or video Lopt can read. ` +
      `Accepted: ${limits.extensions.join(" ")}.`
    );
  }
  return null;
}
