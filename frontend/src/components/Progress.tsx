import { motion } from "framer-motion";
import { percent } from "../lib/format";

interface Props {
  phase: "uploading" | "analysing";
  fraction: number;
}

/** Upload progress, then an indeterminate bar while the model works. */
export function Progress({ phase, fraction }: Props) {
  const uploading = phase === "uploading";
  return (
    <div className="space-y-1" data-testid={`phase-${phase}`}>
      <p className="text-sm" aria-live="polite">
        {uploading ? `Uploading… ${percent(fraction)}` : "Analysing faces and frames…"}
      </p>
      <div
        role="progressbar"
        aria-label={uploading ? "Upload progress" : "Analysis in progress"}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={uploading ? Math.round(fraction * 100) : undefined}
        className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
      >
        {uploading ? (
          <div className="h-full bg-sky-500 transition-[width]" style={{ width: percent(fraction) }} />
        ) : (
          <motion.div
            className="h-full w-1/3 bg-sky-500"
            animate={{ x: ["-100%", "300%"] }}
            transition={{ repeat: Infinity, duration: 1.2, ease: "easeInOut" }}
          />
        )}
      </div>
    </div>
  );
}
