import { AnimatePresence, MotionConfig } from "framer-motion";
import { useEffect, useState } from "react";
import { fetchLimits, type Limits } from "./api/client";
import { DropZone } from "./components/DropZone";
import { ErrorNotice } from "./components/ErrorNotice";
import type { HeatmapSettings } from "./components/HeatmapControls";
import { History } from "./components/History";
import { JobPanel } from "./components/JobPanel";
import { MediaView } from "./components/MediaView";
import { Progress } from "./components/Progress";
import { ProvenancePanel } from "./components/ProvenancePanel";
import { ThemeToggle } from "./components/ThemeToggle";
import { Verdict } from "./components/Verdict";
import { videoSeconds } from "./lib/duration";
import { explain, type PlainError } from "./lib/errors";
import type { MapMethod } from "./lib/heatmaps";
import { planUpload } from "./lib/jobs";
import { announcement } from "./lib/levels";
import { kindOf } from "./lib/validate";
import { useAnalysis } from "./useAnalysis";
import { useJob } from "./useJob";

function useLimits() {
  const [limits, setLimits] = useState<Limits | null>(null);
  const [error, setError] = useState<PlainError | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    fetchLimits().then(setLimits, (reason) => setError(explain(reason)));
  }, [attempt]);
  return { limits, error, reload: () => (setError(null), setAttempt((n) => n + 1)) };
}

export function App() {
  const { limits, error: limitsError, reload } = useLimits();
  const { phase, progress, refused, current, history, submit, retry, select, maps, adopt, refuse } = useAnalysis(limits);
  const job = useJob(adopt);
  const [leftOut, setLeftOut] = useState<string[]>([]);
  const busy = phase === "uploading" || phase === "analysing";

  /** One photo or short video goes to /playground as ever; a long video, a zip or several
   * files go as one job (see lib/jobs.ts). */
  const receive = async (files: File[]) => {
    if (!limits) return;
    const [first] = files;
    const seconds = files.length === 1 && kindOf(first, limits) === "video" ? await videoSeconds(first) : null;
    const plan = planUpload(files, limits, seconds);
    if (plan.route === "direct") return submit(plan.file);
    if (plan.route === "refused") return refuse(plan.why);
    refuse(null);
    setLeftOut(plan.leftOut);
    void job.start(plan.files);
  };
  const [opacity, setOpacity] = useState(0.7);
  const [method, setMethod] = useState<MapMethod>("grad-cam");
  const heatmaps: HeatmapSettings = {
    shown: maps.shown,
    opacity,
    method,
    request: maps.request,
    refused: maps.refused,
    onShow: maps.show,
    onOpacity: setOpacity,
    onMethod: setMethod,
    onRetry: maps.retry,
  };

  return (
    <MotionConfig reducedMotion="user">
      <div className="mx-auto max-w-6xl px-4 py-6">
        <header className="mb-6 flex items-center justify-between gap-4">
          <div>
            <h1 className="text-2xl font-bold">Lopt</h1>
            <p className="text-sm text-slate-500 dark:text-slate-400">Is this photo or video a deepfake?</p>
          </div>
          <nav className="flex items-center gap-3 text-sm">
            <a href="/docs" className="underline-offset-2 hover:underline">API</a>
            <ThemeToggle />
          </nav>
        </header>
        <main className="grid gap-6 lg:grid-cols-[1fr_18rem]">
          <div className="min-w-0 space-y-4">
            {limitsError ? <ErrorNotice error={limitsError} onRetry={reload} /> : null}
            <DropZone limits={limits} disabled={busy || job.phase === "uploading"} onFiles={(files) => void receive(files)} />
            {refused ? (
              <p role="alert" data-testid="refused" className="rounded-lg bg-amber-100 p-3 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
                {refused}
              </p>
            ) : null}
            {job.phase !== "idle" ? (
              <JobPanel
                phase={job.phase}
                job={job.job}
                id={job.id}
                progress={job.progress}
                error={job.error}
                sent={job.sent}
                leftOut={leftOut}
                onCancel={() => void job.cancel()}
                onRetry={job.retry}
                onClose={() => (setLeftOut([]), job.close())}
              />
            ) : null}
            {busy ? <Progress phase={phase} fraction={progress} /> : null}
            {/* Always in the page, so screen readers announce each new verdict in one sentence. */}
            <p role="status" className="sr-only" data-testid="announcer">
              {!busy && current?.prediction ? announcement(current.prediction) : ""}
            </p>
            <AnimatePresence mode="wait">
              {!busy && current?.prediction ? <Verdict key={current.id} prediction={current.prediction} /> : null}
            </AnimatePresence>
            {!busy && current?.prediction?.provenance ? (
              <ProvenancePanel key={`provenance-${current.id}`} provenance={current.prediction.provenance} type={current.prediction.type} />
            ) : null}
            {!busy && current?.error ? <ErrorNotice error={current.error} onRetry={retry} /> : null}
            {current && !current.error ? (
              <MediaView
                key={current.id}
                url={current.url}
                kind={current.kind}
                name={current.file.name}
                prediction={busy ? null : current.prediction}
                heatmaps={heatmaps}
              />
            ) : null}
          </div>
          <aside>
            <History items={history} current={current?.id ?? null} onSelect={select} />
          </aside>
        </main>
      </div>
    </MotionConfig>
  );
}
