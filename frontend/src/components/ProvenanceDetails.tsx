import { useId, type ReactNode } from "react";
import type { GenerationText, Prediction } from "../api/client";
import { formatBytes } from "../lib/format";
import { STATES, actionName, hasManifest, signerName, sourceTypeName, utcTime, type C2pa, type Provenance } from "../lib/provenance";

type Metadata = NonNullable<Provenance["metadata"]>;

const SECTION = "min-w-0 rounded-xl bg-white p-3 text-sm ring-1 ring-slate-200 dark:bg-slate-900/60 dark:ring-slate-700";
const QUIET = "text-slate-700 dark:text-slate-300";

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">{name}</dt>
      <dd className="mt-0.5 break-words">{children}</dd>
    </div>
  );
}

function Items({ children }: { children: ReactNode }) {
  return <ul className="list-disc space-y-0.5 pl-5">{children}</ul>;
}

/** Where a value was read, e.g. exif:Software: small, after the value. */
function Source({ children }: { children: ReactNode }) {
  return <span className={`text-xs ${QUIET}`}> ({children})</span>;
}

/** The manifest as the C2PA SDK verified it: state and why, who signed, with what, and what
 * it records. A remote manifest's address is shown as text only: never a link, never fetched. */
export function CredentialsDetails({ c2pa }: { c2pa: C2pa }) {
  const heading = useId();
  const signer = signerName(c2pa);
  const { digital_source_types: declared = [], actions = [], ingredients = [], failures = [] } = c2pa;
  return (
    <section aria-labelledby={heading} className={SECTION} data-testid="c2pa" data-state={c2pa.state}>
      <h3 id={heading} className="font-semibold">Content Credentials (C2PA)</h3>
      <p className="mt-1">
        <span className="font-semibold" data-testid="c2pa-state">{STATES[c2pa.state]}.</span>{" "}
        <span className={QUIET} data-testid="c2pa-reason">{c2pa.reason}</span>
      </p>
      {hasManifest(c2pa) ? (
        <dl className="mt-3 space-y-2">
          <Field name="Signed by">
            <span data-testid="c2pa-signer">{signer ?? "No signer named"}</span>
          </Field>
          <Field name="Credentials written by">{c2pa.claim_generator ?? "No tool named"}</Field>
          <Field name="Signed at">{c2pa.signed_at ? utcTime(c2pa.signed_at) : "No time stamp"}</Field>
          <Field name="Declared source">
            {declared.length ? (
              <Items>
                {declared.map((uri) => (
                  <li key={uri}>{sourceTypeName(uri)}</li>
                ))}
              </Items>
            ) : (
              "None declared"
            )}
          </Field>
          {actions.length ? (
            <Field name="Actions">
              <Items>
                {actions.map((action, index) => (
                  <li key={index} data-testid="c2pa-action">
                    {actionName(action.action)}
                    {action.software_agent ? ` by ${action.software_agent}` : ""}
                    {action.digital_source_type ? `: ${sourceTypeName(action.digital_source_type)}` : ""}
                  </li>
                ))}
              </Items>
            </Field>
          ) : null}
          {ingredients.length ? (
            <Field name="Made from">
              <Items>
                {ingredients.map((ingredient, index) => (
                  <li key={index}>
                    {ingredient.title ?? "An untitled file"}
                    {ingredient.relationship ? <Source>{ingredient.relationship}</Source> : null}
                    {ingredient.digital_source_types?.length
                      ? `: ${ingredient.digital_source_types.map(sourceTypeName).join(", ")}`
                      : ""}
                  </li>
                ))}
              </Items>
            </Field>
          ) : null}
          {c2pa.state === "invalid" && failures.length ? (
            <Field name="Why it fails">
              <Items>
                {failures.map((failure) => (
                  <li key={failure.code} data-testid="c2pa-failure">
                    <code className="font-mono text-xs">{failure.code}</code>
                    {failure.explanation ? `: ${failure.explanation}` : ""}
                  </li>
                ))}
              </Items>
            </Field>
          ) : null}
        </dl>
      ) : null}
      {c2pa.remote_url ? (
        <p className="mt-3">
          The file says its credentials are stored at{" "}
          <code className="break-all font-mono text-xs" data-testid="c2pa-remote-url">{c2pa.remote_url}</code>. Lopt
          does not fetch that address: whoever made the file chose it.
        </p>
      ) : null}
    </section>
  );
}

/** The camera as one value: a model that already names its make stands alone. */
function camera(metadata: Metadata): { value: string; sources: string } | null {
  const { camera_make: make, camera_model: model } = metadata;
  if (!make && !model) return null;
  const read = [make, model].filter((part) => part != null);
  const named = model && make && model.value.toLowerCase().startsWith(make.value.toLowerCase()) ? [model] : read;
  return { value: named.map((part) => part.value).join(" "), sources: read.map((part) => part.source).join(", ") };
}

function GeneratorText({ text }: { text: GenerationText }) {
  const short = text.text.length <= 160 && !text.text.includes("\n");
  return (
    <details open={short} className="rounded-lg ring-1 ring-slate-300 dark:ring-slate-600" data-testid="generation-text">
      <summary className="cursor-pointer rounded-lg px-2 py-1 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500">
        {text.generator} text<Source>{text.source}, {formatBytes(text.bytes)}{text.truncated ? ", cut" : ""}</Source>
      </summary>
      <pre
        tabIndex={0}
        aria-label={`${text.generator} text`}
        className="max-h-64 overflow-auto whitespace-pre-wrap break-words border-t border-slate-300 px-2 py-1 font-mono text-xs dark:border-slate-600"
      >
        {text.text}
      </pre>
      {text.truncated ? (
        <p className={`px-2 pb-1 text-xs ${QUIET}`}>
          Cut: the first part is shown, of {formatBytes(text.bytes)} in the file.
        </p>
      ) : null}
    </details>
  );
}

/** EXIF, XMP and PNG text: said plainly to be unsigned, each value with where it was read. */
export function MetadataDetails({ metadata, type }: { metadata: Metadata | null; type: Prediction["type"] }) {
  const heading = useId();
  const shot = metadata ? camera(metadata) : null;
  const found = metadata && (shot || metadata.software || metadata.digital_source_type || (metadata.generation_parameters ?? []).length);
  return (
    <section aria-labelledby={heading} className={SECTION} data-testid="metadata">
      <h3 id={heading} className="font-semibold">Metadata (unsigned)</h3>
      <p className={`mt-1 ${QUIET}`}>Anyone can write, change or strip it.</p>
      {!metadata ? (
        <p className="mt-2">{type === "video" ? "Lopt reads metadata from photos only." : "Not read from this file."}</p>
      ) : !found ? (
        <p className="mt-2" data-testid="metadata-empty">No camera, software, source type or generator text in the file.</p>
      ) : (
        <dl className="mt-3 space-y-2">
          {shot ? (
            <Field name="Camera">
              {shot.value}
              <Source>{shot.sources}</Source>
            </Field>
          ) : null}
          {metadata.software ? (
            <Field name="Software">
              {metadata.software.value}
              <Source>{metadata.software.source}</Source>
            </Field>
          ) : null}
          {metadata.digital_source_type ? (
            <Field name="Declared source">
              {sourceTypeName(metadata.digital_source_type.value)}
              <Source>{metadata.digital_source_type.source}</Source>
            </Field>
          ) : null}
          {(metadata.generation_parameters ?? []).length ? (
            <Field name="Generator text">
              <div className="space-y-2">
                {(metadata.generation_parameters ?? []).map((text) => (
                  <GeneratorText key={text.source} text={text} />
                ))}
              </div>
            </Field>
          ) : null}
        </dl>
      )}
    </section>
  );
}
