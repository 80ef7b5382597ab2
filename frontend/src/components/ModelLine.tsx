import type { Prediction } from "../api/client";

export function ModelLine({ model }: { model: Prediction["model"] }) {
  return (
    <div>
      <p>
        Model: <code className="font-mono" data-testid="model-id">{model.id}</code>
        {model.revision ? <span> @ {model.revision}</span> : null}
      </p>
      {model.replaces ? (
        <p role="note" className="mt-1 font-semibold text-slate-800 dark:text-slate-100" data-testid="model-replaced">
          The configured model <code className="font-mono">{model.replaces}</code> was
          unavailable, so this stand-in produced the verdict.
        </p>
      ) : null}
    </div>
  );
}
