import type { Prediction } from "../api/client";

export function ModelLine({ model }: { model: Prediction["model"] }) {
  return (
    <div className="text-sm text-slate-600 dark:text-slate-300">
      <p>
        Model: <code className="font-mono" data-testid="model-id">{model.id}</code>
        {model.revision ? <span> @ {model.revision}</span> : null}
      </p>
      {model.replaces ? (
        <p role="note" className="mt-1 text-amber-700 dark:text-amber-400">
          The configured model <code className="font-mono">{model.replaces}</code> was
          unavailable, so this stand-in produced the verdict.
        </p>
      ) : null}
    </div>
  );
}
