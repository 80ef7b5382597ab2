// The only hand-written API code: the generated SDK for plain calls, and an XHR upload
// because fetch cannot report upload progress. Every type comes from the generated client.
import { client } from "./generated/client.gen";
import { limitsApiLimitsGet } from "./generated/sdk.gen";
import type { ErrorResponse, Limits, Prediction } from "./generated/types.gen";

export type { Explanation, FaceScore, GenerationText, Heatmap, Limits, Prediction, TrackScore } from "./generated/types.gen";

client.setConfig({ baseUrl: globalThis.location?.origin ?? "" });

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

export async function fetchLimits(): Promise<Limits> {
  const { data, response } = await limitsApiLimitsGet();
  if (!data) throw new ApiError(response?.status ?? 0, "unreachable", "Could not reach Lopt.");
  return data;
}

export interface UploadHandlers {
  onProgress: (fraction: number) => void;
  onUploaded: () => void;
  signal?: AbortSignal;
  /** Also ask for heatmaps (slower; the server may refuse with 422 when it draws none). */
  explain?: boolean;
}

export function analyse(file: File, handlers: UploadHandlers): Promise<Prediction> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/playground");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) handlers.onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => handlers.onUploaded();
    xhr.onload = () => {
      if (xhr.status === 200) return resolve(xhr.response as Prediction);
      reject(toApiError(xhr.status, xhr.response, xhr.getResponseHeader("Retry-After")));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "The upload did not reach Lopt."));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "The upload was cancelled."));
    handlers.signal?.addEventListener("abort", () => xhr.abort());
    const body = new FormData();
    body.append("file", file);
    if (handlers.explain) body.append("explain", "true");
    xhr.send(body);
  });
}

export function toApiError(status: number, body: unknown, retryAfter: string | null): ApiError {
  const error = (body as ErrorResponse | null)?.error;
  const seconds = retryAfter === null ? null : Number(retryAfter);
  return new ApiError(
    status,
    error?.code ?? "http_error",
    error?.message ?? `Lopt answered with HTTP ${status}.`,
    Number.isFinite(seconds) ? seconds : null,
  );
}
