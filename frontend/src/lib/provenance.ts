// What a file declares about its origin: badge names, shapes and plain texts for the
// provenance panel, the verdict and the history, in one place.
import type { Prediction } from "../api/client";

export type Provenance = NonNullable<Prediction["provenance"]>;
export type C2pa = Provenance["c2pa"];
export type FindingKind = Provenance["finding"]["kind"];
export type Basis = Provenance["finding"]["basis"];
export type C2paState = C2pa["state"];
export type Mark = "sparkle" | "sparkle-outline" | "shapes" | "pencil" | "camera" | "broken-seal" | "dash";

export interface KindStyle {
  /** The badge's words: what the file declares, never what it is. */
  badge: string;
  /** The badge's shape, so the kind never rests on colour alone. */
  mark: Mark;
  /** Badge colours, light and dark (WCAG AA). Not the verdict levels' colours: a
   * declaration is not the model's verdict. */
  style: string;
  /** The shape's colour where it stands alone on the page (history rows). */
  ink: string;
}

const VIOLET = "bg-violet-100 text-violet-900 ring-violet-700/40 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-400/50";
const SKY = "bg-sky-100 text-sky-900 ring-sky-700/40 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-400/50";
const TEAL = "bg-teal-100 text-teal-900 ring-teal-700/40 dark:bg-teal-950 dark:text-teal-200 dark:ring-teal-400/50";
const ROSE = "bg-rose-100 text-rose-900 ring-rose-700/40 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-400/50";
const SLATE = "bg-slate-100 text-slate-800 ring-slate-500/40 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-400/50";

const INK = {
  violet: "text-violet-800 dark:text-violet-300",
  sky: "text-sky-800 dark:text-sky-300",
  teal: "text-teal-800 dark:text-teal-300",
  rose: "text-rose-800 dark:text-rose-300",
  slate: "text-slate-700 dark:text-slate-300",
};

export const KINDS: Record<FindingKind, KindStyle> = {
  ai_generated_declared: { badge: "Declared AI-generated", mark: "sparkle", style: VIOLET, ink: INK.violet },
  ai_edited_declared: { badge: "Declared partly AI-made", mark: "sparkle-outline", style: VIOLET, ink: INK.violet },
  synthetic_declared: { badge: "Declared computer-made (no AI model)", mark: "shapes", style: SKY, ink: INK.sky },
  edited_declared: { badge: "Declared edited", mark: "pencil", style: SKY, ink: INK.sky },
  capture_declared: { badge: "Declared camera capture", mark: "camera", style: TEAL, ink: INK.teal },
  tampered: { badge: "Tampered: Content Credentials fail verification", mark: "broken-seal", style: ROSE, ink: INK.rose },
  none: { badge: "Nothing declared", mark: "dash", style: SLATE, ink: INK.slate },
};

/** How far the declaration can be relied on, in a few words. */
export const BASES: Record<Basis, string> = {
  signed_trusted: "Signed, signer on the trust list",
  signed_untrusted: "Signed, signer not on the trust list",
  signed_invalid: "Signature fails verification",
  unsigned_metadata: "Unsigned metadata: anyone can write, change or strip it",
  none: "Nothing signed or declared",
};

export const STATES: Record<C2paState, string> = {
  none: "None in the file",
  valid: "Valid, signer not on the trust list",
  trusted: "Valid, signer on the trust list",
  invalid: "Invalid: fails verification",
  remote_not_fetched: "Stored online, not fetched",
  not_checked: "Not checked",
};

/** States in which the SDK read a manifest, so its signer, tool and actions are known. */
export function hasManifest(c2pa: C2pa): boolean {
  return c2pa.state === "valid" || c2pa.state === "trusted" || c2pa.state === "invalid";
}

export function isSigned(basis: Basis): boolean {
  return basis === "signed_trusted" || basis === "signed_untrusted" || basis === "signed_invalid";
}

const IPTC_GLOSS: Record<string, string> = {
  trainedAlgorithmicMedia: "AI-generated",
  compositeWithTrainedAlgorithmicMedia: "partly AI-generated",
};

/** An IPTC digital source type in words: ``.../trainedAlgorithmicMedia`` is "Trained
 * algorithmic media (AI-generated)"; a term Lopt does not know is spelt out as it is. */
export function sourceTypeName(uri: string): string {
  const term = uri.trim().replace(/\/+$/, "").split("/").pop() ?? uri;
  const words = term.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const named = words.charAt(0).toUpperCase() + words.slice(1);
  return IPTC_GLOSS[term] ? `${named} (${IPTC_GLOSS[term]})` : named;
}

/** A C2PA action label in words: ``c2pa.color_adjustments`` is "Color adjustments". */
export function actionName(action: string): string {
  const words = action.replace(/^c2pa\./, "").replace(/[._]/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An ISO time stamp as a fixed UTC string (the same on every machine). */
export function utcTime(stamp: string): string {
  const time = new Date(stamp);
  if (Number.isNaN(time.getTime())) return stamp;
  return `${time.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The signer as the certificate names it: its organisation, and its common name when
 * that says more. */
export function signerName(c2pa: C2pa): string | null {
  const { signer, signer_common_name: common } = c2pa;
  if (signer && common && common !== signer) return `${signer} (certificate: ${common})`;
  return signer ?? common ?? null;
}

/** The small mark a history row carries for signed declarations (unsigned metadata is
 * too common and too weak to flag in a list). */
export function historyMarker(prediction: Prediction): { mark: Mark; ink: string; label: string } | null {
  const finding = prediction.provenance?.finding;
  if (!finding || !isSigned(finding.basis)) return null;
  const { mark, ink, badge } = KINDS[finding.kind];
  return { mark, ink, label: `Content Credentials: ${badge}; ${BASES[finding.basis].toLowerCase()}` };
}

/** Whether signed Content Credentials decided the verdict (LOPT_PROVENANCE_DECIDES). */
export function decidedByProvenance(prediction: Prediction): boolean {
  return prediction.verdict_source === "provenance";
}

export const DECIDED_MEANING =
  "Signed Content Credentials whose signer is on the trust list declare this file AI-generated, and this server lets such a declaration decide the verdict. A signature shows who declared it, not that the declaration is true.";
