import { useRef, useState, type DragEvent } from "react";
import type { Limits } from "../api/client";
import { formatBytes } from "../lib/format";

interface Props {
  limits: Limits | null;
  disabled: boolean;
  onFile: (file: File) => void;
}

/** Drop a file here or pick one; a focusable button, so the keyboard works too. */
export function DropZone({ limits, disabled, onFile }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const accept = limits ? [...limits.image_mime_types, ...limits.video_mime_types, ...limits.extensions].join(",") : undefined;

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };

  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid="dropzone"
      className={`rounded-2xl border-2 border-dashed p-6 text-center transition-colors ${
        over ? "border-sky-500 bg-sky-50 dark:bg-sky-950/40" : "border-slate-300 dark:border-slate-700"
      }`}
    >
      <p className="text-lg font-medium">Drop a photo or a video here</p>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
        {limits
          ? `Up to ${formatBytes(limits.max_upload_bytes)} and ${Math.round(limits.max_video_seconds / 60)} min of video · ${limits.extensions.join(" ")}`
          : "Reading the service's limits…"}
      </p>
      <button
        type="button"
        disabled={disabled || !limits}
        onClick={() => input.current?.click()}
        className="mt-4 rounded-lg bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300"
      >
        Choose a file
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        className="sr-only"
        tabIndex={-1}
        aria-label="File to analyse"
        data-testid="file-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = "";
          if (file) onFile(file);
        }}
      />
    </div>
  );
}
