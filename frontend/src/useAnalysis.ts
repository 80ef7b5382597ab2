import { useCallback, useState } from "react";
import { analyse, type Limits, type Prediction } from "./api/client";
import { explain, type PlainError } from "./lib/errors";
import { kindOf, refusal, type MediaKind } from "./lib/validate";

export interface Analysis {
  id: string;
  file: File;
  url: string;
  kind: MediaKind;
  prediction: Prediction | null;
  error: PlainError | null;
}

export type Phase = "idle" | "uploading" | "analysing" | "done";

/** One upload at a time; every finished one joins this session's history. */
export function useAnalysis(limits: Limits | null) {
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState(0);
  const [refused, setRefused] = useState<string | null>(null);
  const [current, setCurrent] = useState<Analysis | null>(null);
  const [history, setHistory] = useState<Analysis[]>([]);

  const run = useCallback(async (file: File, kind: MediaKind) => {
    const started: Analysis = {
      id: crypto.randomUUID(),
      file,
      url: URL.createObjectURL(file),
      kind,
      prediction: null,
      error: null,
    };
    setCurrent(started);
    setProgress(0);
    setPhase("uploading");
    let finished: Analysis;
    try {
      const prediction = await analyse(file, {
        onProgress: setProgress,
        onUploaded: () => setPhase("analysing"),
      });
      finished = { ...started, prediction, kind: prediction.type };
    } catch (error) {
      finished = { ...started, error: explain(error) };
    }
    setCurrent(finished);
    setHistory((items) => [finished, ...items]);
    setPhase("done");
  }, []);

  const submit = useCallback(
    (file: File) => {
      if (!limits) return;
      const why = refusal(file, limits);
      setRefused(why);
      if (why === null) void run(file, kindOf(file, limits) ?? "image");
      else setCurrent(null); // the last result stays in the history, not under the refusal
    },
    [limits, run],
  );

  const retry = useCallback(() => {
    if (current) void run(current.file, current.kind);
  }, [current, run]);

  const select = useCallback(
    (id: string) => {
      const item = history.find((entry) => entry.id === id);
      if (item && phase !== "uploading" && phase !== "analysing") {
        setRefused(null);
        setCurrent(item);
      }
    },
    [history, phase],
  );

  return { phase, progress, refused, current, history, submit, retry, select };
}
