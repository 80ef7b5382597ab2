// The only hand-written API code: the generated SDK for plain calls, and an XHR upload
// because fetch cannot report upload progress. Every type comes from the generated client.
import { client } from "./generated/client.gen";
import { cancelJobApiJobsJobIdDelete, jobStatusApiJobsJobIdGet, limitsApiLimitsGet } from "./generated/sdk.gen";
import type { ErrorResponse, JobStatus, Limits, Prediction } from "./generated/types.gen";

export type {
  Explanation,
  FaceScore,
  FileRow,
  GenerationText,
  Heatmap,
  JobStatus,
  Limits,
  Prediction,
  TrackScore,
} from "./generated/types.gen";

/** POST /api/jobs's 202 body (the schema leaves it untyped): the fields JobStatus shares. */
export type JobAccepted = Pick<JobStatus, "id" | "state" | "total" | "status_url">;

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

/** POST one XHR multipart upload, reporting its progress; resolves with the JSON body on ``ok``. */
function upload<T>(path: string, body: FormData, ok: number, handlers: UploadHandlers): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) handlers.onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => handlers.onUploaded();
    xhr.onload = () => {
      if (xhr.status === ok) return resolve(xhr.response as T);
      reject(toApiError(xhr.status, xhr.response, xhr.getResponseHeader("Retry-After")));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "The upload did not reach Lopt."));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "The upload was cancelled."));
    handlers.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

export function analyse(file: File, handlers: UploadHandlers): Promise<Prediction> {
  const body = new FormData();
  body.append("file", file);
  if (handlers.explain) body.append("explain", "true");
  return upload<Prediction>("/playground", body, 200, handlers);
}

/** Queue files (photos, videos or zips) as one job: 202 with its id. */
export function submitJob(files: File[], handlers: UploadHandlers): Promise<JobAccepted> {
  const body = new FormData();
  for (const file of files) body.append("files", file, file.webkitRelativePath || file.name);
  return upload<JobAccepted>("/api/jobs", body, 202, handlers);
}

/** A call through the generated SDK: its data, or its error as an ApiError. */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response?: Response }>): Promise<T> {
  let answer: Awaited<typeof request>;
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, "network", "Lopt could not be reached. Check your connection.");
  }
  const { data, error, response } = answer;
  if (data !== undefined && response?.ok) return data;
  throw toApiError(response?.status ?? 0, error ?? null, response?.headers.get("Retry-After") ?? null);
}

export function fetchJob(id: string): Promise<JobStatus> {
  return call(jobStatusApiJobsJobIdGet({ path: { job_id: id } }));
}

export function cancelJob(id: string): Promise<JobStatus> {
  return call(cancelJobApiJobsJobIdDelete({ path: { job_id: id } }));
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
