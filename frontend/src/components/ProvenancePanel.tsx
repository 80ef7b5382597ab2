import type { Prediction } from "../api/client";
import { BASES, KINDS, type Provenance } from "../lib/provenance";
import { CredentialsDetails, MetadataDetails } from "./ProvenanceDetails";
import { ProvenanceIcon } from "./ProvenanceIcon";

export function ProvenanceBadge({ kind }: { kind: Provenance["finding"]["kind"] }) {
  const style = KINDS[kind];
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-3 py-1 text-sm font-semibold ring-1 ${style.style}`}
      data-testid="provenance-badge"
      data-kind={kind}
    >
      <ProvenanceIcon mark={style.mark} size={16} className="shrink-0" />
      {style.badge}
    </span>
  );
}

interface Props {
  provenance: Provenance;
  type: Prediction["type"];
}

/** Beside the verdict, never inside it: what the file declares about its origin, how far
 * that can be relied on, what it does not prove, and every field it was read from. */
export function ProvenancePanel({ provenance, type }: Props) {
  const { finding, c2pa, metadata } = provenance;
  // The server's note repeats why Content Credentials were not checked; the C2PA part says so.
  const note = provenance.note?.replace(c2pa.reason, "").trim();
  return (
    <section
      aria-labelledby="provenance-heading"
      data-testid="provenance"
      data-kind={finding.kind}
      data-basis={finding.basis}
      className="rounded-2xl p-5 ring-1 ring-slate-300 dark:ring-slate-700"
    >
      <h2 id="provenance-heading" className="text-lg font-semibold">Provenance</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        What the file says about where it came from: shown beside the model's verdict, never mixed into its score.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <ProvenanceBadge kind={finding.kind} />
        <span
          className="rounded-full px-3 py-1 text-sm text-slate-800 ring-1 ring-slate-400 dark:text-slate-200 dark:ring-slate-500"
          data-testid="provenance-basis"
        >
          {BASES[finding.basis]}
        </span>
      </div>
      <p className="mt-3 max-w-prose font-medium" data-testid="provenance-summary">{finding.summary}</p>
      <p className="mt-2 max-w-prose rounded-lg bg-slate-100 p-3 text-sm text-slate-800 dark:bg-slate-800 dark:text-slate-200" data-testid="provenance-proves">
        <span className="font-semibold">What this proves, and what it does not: </span>
        {finding.proves}
      </p>
      {note ? (
        <p role="note" className="mt-2 max-w-prose rounded-lg bg-amber-100 p-3 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100" data-testid="provenance-note">
          {note}
        </p>
      ) : null}
      <div className="mt-4 grid gap-4 md:grid-cols-2">
        <CredentialsDetails c2pa={c2pa} />
        <MetadataDetails metadata={metadata ?? null} type={type} />
      </div>
    </section>
  );
}
