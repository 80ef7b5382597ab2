import type { JobStatus } from "../api/client";
import type { PlainError } from "../lib/errors";
import { percent } from "../lib/format";
import type { JobPhase } from "../useJob";
import { ErrorNotice } from "./ErrorNotice";
import { JobTable } from "./JobTable";

const REASONS: Record<string, string> = {
  worker_lost: "the process running it stopped (a crash or a restart) before it finished. Send the files again.",
};

/** What the job is doing, in one sentence a screen reader announces as it changes. */
function sentence(phase: JobPhase, job: JobStatus | null, progress: number, count: number): string {
  if (phase === "uploading") return `Uploading ${count} ${count === 1 ? "file" : "files"}… ${percent(progress)}`;
  if (!job) return phase === "watching" ? "Looking up the job…" : "";
  const judged = job.files.filter((row) => row.status === "succeeded").length;
  const failed = job.files.filter((row) => row.status === "failed").length;
  switch (job.state) {
    case "queued":
      return `Queued: ${job.total} ${job.total === 1 ? "file waits" : "files wait"} for a worker.`;
    case "running":
      return `Judging: ${job.done} of ${job.total} ${job.total === 1 ? "file" : "files"} done.`;
    case "succeeded":
      return `Done: ${judged} judged${failed ? `, ${failed} could not be judged` : ""}.`;
    case "failed":
      return `The job failed: ${REASONS[job.reason ?? ""] ?? job.reason ?? "no reason given."}`;
    case "cancelled":
      return "Cancelled: its files and results were deleted.";
    case "expired":
      return "Expired: its results were deleted after the retention period. Send the files again.";
  }
}

interface Props {
  phase: JobPhase;
  job: JobStatus | null;
  id: string | null;
  progress: number;
  error: PlainError | null;
  /** Names of the files sent from this page (none after a reload). */
  sent: File[];
  leftOut: string[];
  onCancel: () => void;
  onRetry: () => void;
  onClose: () => void;
}

/** A job: its progress with a cancel button while it runs, then a table of its files. */
export function JobPanel({ phase, job, id, progress, error, sent, leftOut, onCancel, onRetry, onClose }: Props) {
  const running = phase === "uploading" || phase === "watching";
  const fraction = phase === "uploading" ? progress : job && job.total > 0 ? job.done / job.total : 0;
  const text = sentence(phase, job, progress, sent.length);
  const oneVideo = sent.length === 1 && sent[0].type.startsWith("video/");
  const button =
    "rounded-lg px-3 py-1.5 text-sm font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500";

  return (
    <section aria-labelledby="job-heading" data-testid="job" data-state={job?.state ?? phase} className="space-y-3 rounded-2xl p-4 ring-1 ring-slate-200 dark:ring-slate-700">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="job-heading" className="font-semibold">
          {oneVideo ? `Long video: ${sent[0].name}` : "Job"}
        </h2>
        <div className="flex gap-2">
          {running && id ? (
            <button type="button" onClick={onCancel} className={`${button} bg-rose-700 text-white hover:bg-rose-600`}>
              Cancel job
            </button>
          ) : null}
          {!running ? (
            <button type="button" onClick={onClose} className={`${button} ring-1 ring-slate-300 hover:bg-slate-100 dark:ring-slate-700 dark:hover:bg-slate-800`}>
              Close
            </button>
          ) : null}
        </div>
      </div>
      <p className="text-sm" aria-live="polite" data-testid="job-progress-text">
        {text}
      </p>
      {running ? (
        <>
          <div
            role="progressbar"
            aria-label={phase === "uploading" ? "Upload progress" : "Files judged"}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(fraction * 100)}
            aria-valuetext={phase === "uploading" || !job ? percent(fraction) : `${job.done} of ${job.total} files`}
            className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
          >
            <div className="h-full bg-sky-500 transition-[width]" style={{ width: percent(fraction) }} />
          </div>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            {oneVideo ? "A long video takes minutes. " : ""}
            This page's address finds the job again: reload it or come back later.
          </p>
        </>
      ) : null}
      {leftOut.length > 0 ? (
        <details className="rounded-lg bg-amber-100 p-3 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100" data-testid="left-out">
          <summary className="cursor-pointer font-semibold">
            {leftOut.length} {leftOut.length === 1 ? "file was" : "files were"} left out
          </summary>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {leftOut.map((why, index) => (
              <li key={index}>{why}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {error ? <ErrorNotice error={error} onRetry={onRetry} /> : null}
      {job && id && job.files.length > 0 ? <JobTable jobId={id} rows={job.files} /> : null}
    </section>
  );
}
