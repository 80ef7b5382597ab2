import type { PlainError } from "../lib/errors";

interface Props {
  error: PlainError;
  onRetry?: () => void;
}

export function ErrorNotice({ error, onRetry }: Props) {
  return (
    <div role="alert" data-testid="error" className="rounded-2xl bg-rose-50 p-4 ring-2 ring-rose-500/40 dark:bg-rose-950/40">
      <h2 className="font-semibold text-rose-800 dark:text-rose-300">{error.title}</h2>
      <p className="mt-1 text-sm">{error.detail}</p>
      {error.canRetry && onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded-lg bg-rose-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-rose-600 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
        >
          Try again
        </button>
      ) : null}
    </div>
  );
}
