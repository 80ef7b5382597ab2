import { useRef, useState, type DragEvent, type InputHTMLAttributes } from "react";
import type { Limits } from "../api/client";
import { formatBytes } from "../lib/format";
import { droppedFiles } from "../lib/folders";

interface Props {
  limits: Limits | null;
  disabled: boolean;
  /** One file, or several (many files, a folder's files) to judge as one job. */
  onFiles: (files: File[]) => void;
}

const BUTTON =
  "rounded-lg px-4 py-2 text-sm font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-50";
// React has no typed prop for the folder picker's attribute.
const FOLDER_PICKER = { webkitdirectory: "" } as InputHTMLAttributes<HTMLInputElement>;

/** Drop files or a folder here or pick them; focusable buttons, so the keyboard works too. */
export function DropZone({ limits, disabled, onFiles }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const accept = limits ? [...limits.image_mime_types, ...limits.video_mime_types, ...limits.extensions, ".zip"].join(",") : undefined;

  const drop = async (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (disabled) return;
    const files = await droppedFiles(event.dataTransfer);
    if (files.length > 0) onFiles(files);
  };
  const picked = (target: HTMLInputElement) => {
    const files = [...(target.files ?? [])];
    target.value = "";
    if (files.length > 0) onFiles(files);
  };

  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => void drop(event)}
      data-testid="dropzone"
      className={`rounded-2xl border-2 border-dashed p-6 text-center transition-colors ${
        over ? "border-sky-500 bg-sky-50 dark:bg-sky-950/40" : "border-slate-300 dark:border-slate-700"
      }`}
    >
      <p className="text-lg font-medium">Drop a photo or a video here</p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Or many files, a folder or a zip: they are judged together as one job, with a table of results.
      </p>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
        {limits
          ? `Up to ${formatBytes(limits.max_upload_bytes)} and ${Math.round(limits.max_video_seconds / 60)} min of video · ${limits.extensions.join(" ")}`
          : "Reading the service's limits…"}
      </p>
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        <button
          type="button"
          disabled={disabled || !limits}
          onClick={() => input.current?.click()}
          className={`${BUTTON} bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300`}
        >
          Choose a file
        </button>
        <button
          type="button"
          disabled={disabled || !limits}
          onClick={() => folder.current?.click()}
          className={`${BUTTON} ring-1 ring-slate-300 hover:bg-slate-100 dark:ring-slate-700 dark:hover:bg-slate-800`}
        >
          Choose a folder
        </button>
      </div>
      <input
        ref={input}
        type="file"
        multiple
        accept={accept}
        className="sr-only"
        tabIndex={-1}
        aria-label="Files to analyse"
        data-testid="file-input"
        onChange={(event) => picked(event.target)}
      />
      <input
        ref={folder}
        type="file"
        {...FOLDER_PICKER}
        className="sr-only"
        tabIndex={-1}
        aria-label="Folder to analyse"
        data-testid="folder-input"
        onChange={(event) => picked(event.target)}
      />
    </div>
  );
}
