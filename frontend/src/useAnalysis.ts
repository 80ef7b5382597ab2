import { useCallback, useState } from "react";
import { ApiError, analyse, type Limits, type Prediction } from "./api/client";
import { explain, type PlainError } from "./lib/errors";
import { isExplained } from "./lib/heatmaps";
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

/** Drawing heatmaps for a verdict that has none: the file is sent again with explain=true. */
export interface MapRequest {
  /** The analysis the request is for. */
  id: string | null;
  loading: boolean;
  /** Upload fraction while the file is sent again; 1 once the server is drawing. */
  progress: number;
  error: PlainError | null;
}

const NO_REQUEST: MapRequest = { id: null, loading: false, progress: 0, error: null };

/** The server's refusal to draw heatmaps at all (LOPT_HEATMAPS=false): a 422 to explain=true. */
function refusesMaps(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 422 && error.code === "invalid_request";
}

/** An analysed verdict asked for without heatmaps. */
function lacksMaps(item: Analysis | null | undefined): item is Analysis {
  return Boolean(item?.prediction) && !isExplained(item?.prediction ?? null);
}

/** One upload at a time; every finished one joins this session's history. With heatmaps
 * shown, uploads ask for them at once; a verdict without them gets them when they are
 * switched on (its file is sent again), and keeps them in the history. */
export function useAnalysis(limits: Limits | null) {
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState(0);
  const [refused, setRefused] = useState<string | null>(null);
  const [current, setCurrent] = useState<Analysis | null>(null);
  const [history, setHistory] = useState<Analysis[]>([]);
  const [showMaps, setShowMaps] = useState(false);
  const [mapRequest, setMapRequest] = useState<MapRequest>(NO_REQUEST);
  /** Why this server draws no heatmaps, once it has said so. */
  const [mapsRefused, setMapsRefused] = useState<string | null>(null);

  const refuseMaps = useCallback((error: ApiError) => {
    setMapsRefused(error.message);
    setShowMaps(false);
  }, []);

  const run = useCallback(
    async (file: File, kind: MediaKind, withMaps: boolean) => {
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
      const send = (explain: boolean) =>
        analyse(file, { onProgress: setProgress, onUploaded: () => setPhase("analysing"), explain });
      let finished: Analysis;
      try {
        let prediction: Prediction;
        try {
          prediction = await send(withMaps);
        } catch (error) {
          // A server that draws no heatmaps still judges the file: ask again without them.
          if (!withMaps || !refusesMaps(error)) throw error;
          refuseMaps(error);
          setProgress(0);
          setPhase("uploading");
          prediction = await send(false);
        }
        finished = { ...started, prediction, kind: prediction.type };
      } catch (error) {
        finished = { ...started, error: explain(error) };
      }
      setCurrent(finished);
      setHistory((items) => [finished, ...items]);
      setPhase("done");
    },
    [refuseMaps],
  );

  /** Send an analysed file again with explain=true; its verdict is replaced by the explained one. */
  const drawMaps = useCallback(
    async (item: Analysis) => {
      setMapRequest({ id: item.id, loading: true, progress: 0, error: null });
      const mine = (update: (request: MapRequest) => MapRequest) =>
        setMapRequest((request) => (request.id === item.id ? update(request) : request));
      try {
        const prediction = await analyse(item.file, {
          explain: true,
          onProgress: (fraction) => mine((request) => ({ ...request, progress: fraction })),
          onUploaded: () => mine((request) => ({ ...request, progress: 1 })),
        });
        const explained = { ...item, prediction, kind: prediction.type };
        setCurrent((shown) => (shown?.id === item.id ? explained : shown));
        setHistory((items) => items.map((entry) => (entry.id === item.id ? explained : entry)));
        mine(() => NO_REQUEST);
      } catch (error) {
        if (refusesMaps(error)) refuseMaps(error);
        const plain = explain(error);
        mine(() => ({ id: item.id, loading: false, progress: 0, error: { ...plain, title: "Lopt could not draw heatmaps" } }));
      }
    },
    [refuseMaps],
  );

  const submit = useCallback(
    (file: File) => {
      if (!limits) return;
      const why = refusal(file, limits);
      setRefused(why);
      if (why === null) void run(file, kindOf(file, limits) ?? "image", showMaps);
      else setCurrent(null); // the last result stays in the history, not under the refusal
    },
    [limits, run, showMaps],
  );

  /** Show a verdict reached another way (a long video's job) as if it had been uploaded here. */
  const adopt = useCallback(
    (file: File, prediction: Prediction) => {
      const item: Analysis = { id: crypto.randomUUID(), file, url: URL.createObjectURL(file), kind: prediction.type, prediction, error: null };
      setHistory((items) => [item, ...items]);
      if (phase !== "uploading" && phase !== "analysing") {
        setRefused(null);
        setCurrent(item);
      }
    },
    [phase],
  );

  /** Say why files were not sent (null: clear the last refusal). */
  const refuse = useCallback((why: string | null) => {
    setRefused(why);
    if (why !== null) setCurrent(null);
  }, []);

  const retry = useCallback(() => {
    if (current) void run(current.file, current.kind, showMaps);
  }, [current, run, showMaps]);

  const select = useCallback(
    (id: string) => {
      const item = history.find((entry) => entry.id === id);
      if (item && phase !== "uploading" && phase !== "analysing") {
        setRefused(null);
        setCurrent(item);
        if (showMaps && lacksMaps(item) && !(mapRequest.loading && mapRequest.id === item.id)) void drawMaps(item);
      }
    },
    [history, phase, showMaps, mapRequest, drawMaps],
  );

  /** Show or hide heatmaps; showing them on a verdict without any asks the server for them. */
  const showHeatmaps = useCallback(
    (on: boolean) => {
      setShowMaps(on);
      if (on && lacksMaps(current) && !(mapRequest.loading && mapRequest.id === current.id)) void drawMaps(current);
    },
    [current, mapRequest, drawMaps],
  );

  const retryMaps = useCallback(() => {
    if (lacksMaps(current)) void drawMaps(current);
  }, [current, drawMaps]);

  const maps = {
    shown: showMaps,
    request: mapRequest.id === current?.id ? mapRequest : NO_REQUEST,
    refused: mapsRefused,
    show: showHeatmaps,
    retry: retryMaps,
  };
  return { phase, progress, refused, current, history, submit, retry, select, maps, adopt, refuse };
}
