import { ApiError } from "../api/client";

export interface PlainError {
  title: string;
  detail: string;
  canRetry: boolean;
}

const TITLES: Record<string, string> = {
  media_too_large: "This file is too large",
  unsupported_media: "This is not a photo or video Lopt can read",
  corrupt_media: "This file is damaged",
  invalid_request: "The upload went wrong",
  overloaded: "Lopt is busy",
  model_not_ready: "Lopt is still starting",
  network: "Lopt could not be reached",
  internal_error: "Lopt failed on this file",
};

/** An API failure in plain words: what happened, the server's advice, and whether to retry. */
export function explain(error: unknown): PlainError {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong", detail: String(error), canRetry: true };
  }
  const busy = error.code === "overloaded" || error.code === "model_not_ready";
  const wait = busy && error.retryAfterS ? ` Try again in ${error.retryAfterS} s.` : "";
  return {
    title: TITLES[error.code] ?? `Lopt answered with an error (${error.status})`,
    detail: `${error.message}${wait}`,
    canRetry: busy || error.code === "network" || error.code === "internal_error",
  };
}
