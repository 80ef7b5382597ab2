import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, cancelJob, fetchJob, submitJob, type JobStatus, type Prediction } from "./api/client";
import { explain, type PlainError } from "./lib/errors";
import { FINISHED, POLL_MS, jobInAddress, putJobInAddress } from "./lib/jobs";

export type JobPhase = "idle" | "uploading" | "watching" | "done";

/** A file judged through a job started on this page, with its verdict. */
export type JobResult = (file: File, prediction: Prediction) => void;

const GONE: PlainError = {
  title: "This job is gone",
  detail: "Lopt has no job with this address: it was cancelled, or its results were deleted after the retention period. Send the files again.",
  canRetry: false,
};

/** One job at a time: sent, then looked at every POLL_MS until it ends. Its id lives in the
 * page's address (``?job=ID``), so a reload finds it again. A job of one file sent from
 * this page hands its verdict to ``onResult`` (the page shows it as a direct upload's). */
export function useJob(onResult: JobResult) {
  const [id, setId] = useState<string | null>(jobInAddress);
  const [phase, setPhase] = useState<JobPhase>(() => (jobInAddress() ? "watching" : "idle"));
  const [progress, setProgress] = useState(0);
  const [job, setJob] = useState<JobStatus | null>(null);
  const [error, setError] = useState<PlainError | null>(null);
  const [sent, setSent] = useState<File[]>([]);
  const [attempt, setAttempt] = useState(0);
  const handOver = useRef(onResult);
  handOver.current = onResult;

  useEffect(() => {
    if (phase !== "watching" || id === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      try {
        const status = await fetchJob(id);
        if (stopped) return;
        setJob(status);
        setError(null);
        if (FINISHED.has(status.state)) {
          setPhase("done");
          const [row] = status.files;
          if (sent.length === 1 && status.files.length === 1 && row.result) handOver.current(sent[0], row.result);
          return;
        }
      } catch (reason) {
        if (stopped) return;
        const gone = reason instanceof ApiError && reason.status === 404;
        setError(gone ? GONE : { ...explain(reason), title: "Lopt could not say how the job is going", canRetry: true });
        setPhase("done");
        return;
      }
      timer = setTimeout(look, POLL_MS);
    };
    void look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, phase, sent, attempt]);

  const start = useCallback(async (files: File[]) => {
    putJobInAddress(null);
    setId(null);
    setJob(null);
    setError(null);
    setSent(files);
    setProgress(0);
    setPhase("uploading");
    try {
      const accepted = await submitJob(files, { onProgress: setProgress, onUploaded: () => setProgress(1) });
      putJobInAddress(accepted.id);
      setId(accepted.id);
      setPhase("watching");
    } catch (reason) {
      setError({ ...explain(reason), title: `${explain(reason).title}: the job was not started` });
      setPhase("done");
    }
  }, []);

  const cancel = useCallback(async () => {
    if (id === null) return;
    try {
      setJob(await cancelJob(id));
      setPhase("done");
    } catch (reason) {
      setError({ ...explain(reason), title: "Lopt could not cancel the job" });
    }
  }, [id]);

  /** Send the files again after a refused submission; look again after a failed look. */
  const retry = useCallback(() => {
    if (id === null) {
      if (sent.length > 0) void start(sent);
      return;
    }
    setError(null);
    setPhase("watching");
    setAttempt((n) => n + 1);
  }, [id, sent, start]);

  /** Put the job away: the address forgets it (the server keeps it until it expires). */
  const close = useCallback(() => {
    putJobInAddress(null);
    setId(null);
    setJob(null);
    setError(null);
    setSent([]);
    setPhase("idle");
  }, []);

  return { id, phase, progress, job, error, sent, start, cancel, retry, close };
}
