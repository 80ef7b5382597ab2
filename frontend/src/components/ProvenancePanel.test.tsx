import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import {
  PROVES,
  manifest,
  provenanceOf,
  remoteCredentials,
  signedAiGenerated,
  tamperedCredentials,
  unsignedGenerator,
} from "../test/fixtures";
import { ProvenancePanel } from "./ProvenancePanel";

const panel = () => screen.getByRole("region", { name: "Provenance" });
const section = (name: string) => within(panel()).getByRole("region", { name });
/** A definition list's value by its term. */
const field = (term: string) => screen.getByText(term, { selector: "dt" }).nextElementSibling as HTMLElement;

describe("ProvenancePanel", () => {
  it.each([
    ["ai_generated_declared", "signed_trusted", "Declared AI-generated", "sparkle", "Signed, signer on the trust list"],
    ["ai_edited_declared", "signed_untrusted", "Declared partly AI-made", "sparkle-outline", "Signed, signer not on the trust list"],
    ["synthetic_declared", "unsigned_metadata", "Declared computer-made (no AI model)", "shapes", "Unsigned metadata: anyone can write, change or strip it"],
    ["edited_declared", "signed_untrusted", "Declared edited", "pencil", "Signed, signer not on the trust list"],
    ["capture_declared", "unsigned_metadata", "Declared camera capture", "camera", "Unsigned metadata: anyone can write, change or strip it"],
    ["tampered", "signed_invalid", "Tampered: Content Credentials fail verification", "broken-seal", "Signature fails verification"],
    ["none", "none", "Nothing declared", "dash", "Nothing signed or declared"],
  ] as const)("badges %s on %s in words and a shape, with its summary and what it proves", (kind, basis, badge, mark, basisText) => {
    render(<ProvenancePanel provenance={provenanceOf(kind, basis, { summary: "What the file declares." })} type="image" />);
    expect(panel()).toHaveAttribute("data-kind", kind);
    const shown = screen.getByTestId("provenance-badge");
    expect(shown).toHaveTextContent(badge);
    expect(within(shown).getByTestId("provenance-icon")).toHaveAttribute("data-mark", mark);
    expect(screen.getByTestId("provenance-basis")).toHaveTextContent(basisText);
    expect(screen.getByTestId("provenance-summary")).toHaveTextContent("What the file declares.");
    expect(screen.getByTestId("provenance-proves")).toHaveTextContent(`What this proves, and what it does not: ${PROVES[basis]}`);
  });

  it("shows who signed an AI-generated declaration, with what tool, what it declares, and that the signer is not trusted", () => {
    render(<ProvenancePanel provenance={signedAiGenerated()} type="image" />);
    expect(screen.getByRole("heading", { level: 2, name: "Provenance" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 3, name: "Content Credentials (C2PA)" })).toBeInTheDocument();
    expect(screen.getByTestId("provenance-summary")).toHaveTextContent(/signed by C2PA Test Signing Cert \(not on the trust list\) declare it AI-generated/);
    expect(screen.getByTestId("provenance-proves")).toHaveTextContent("who signed is not established");
    expect(section("Content Credentials (C2PA)")).toHaveAttribute("data-state", "valid");
    expect(screen.getByTestId("c2pa-state")).toHaveTextContent("Valid, signer not on the trust list.");
    expect(screen.getByTestId("c2pa-signer")).toHaveTextContent("C2PA Test Signing Cert (certificate: C2PA Signer)");
    expect(field("Credentials written by")).toHaveTextContent("lopt-tests 1");
    expect(field("Signed at")).toHaveTextContent("2024-08-06 21:53 UTC");
    expect(field("Declared source")).toHaveTextContent("Trained algorithmic media (AI-generated)");
    expect(screen.getByTestId("c2pa-action")).toHaveTextContent("Created by ImageGen 2: Trained algorithmic media (AI-generated)");
    expect(field("Made from")).toHaveTextContent("A.jpg (parentOf)");
    // A valid manifest's untrusted signer is in the state and summary, not listed as a failure.
    expect(screen.queryByTestId("c2pa-failure")).not.toBeInTheDocument();
    expect(within(section("Metadata (unsigned)")).getByTestId("metadata-empty")).toBeInTheDocument();
  });

  it("says a trusted signer is on the trust list and what even that does not prove", () => {
    render(<ProvenancePanel provenance={signedAiGenerated(true)} type="image" />);
    expect(screen.getByTestId("provenance-basis")).toHaveTextContent("Signed, signer on the trust list");
    expect(screen.getByTestId("c2pa-state")).toHaveTextContent("Valid, signer on the trust list.");
    expect(screen.getByTestId("provenance-proves")).toHaveTextContent("It does not prove that what the file shows is true");
  });

  it("shows tampered credentials as such, with each failure", () => {
    render(<ProvenancePanel provenance={tamperedCredentials()} type="image" />);
    expect(screen.getByTestId("provenance-badge")).toHaveTextContent("Tampered: Content Credentials fail verification");
    expect(screen.getByTestId("c2pa-state")).toHaveTextContent("Invalid: fails verification.");
    expect(screen.getByTestId("c2pa-reason")).toHaveTextContent("the content changed after signing");
    expect(screen.getByTestId("c2pa-failure")).toHaveTextContent("assertion.dataHash.mismatch: asset hash error");
    expect(screen.getByTestId("provenance-proves")).toHaveTextContent("That alone does not make the picture fake.");
    // Who signed stays visible: it is what the broken credentials claimed.
    expect(screen.getByTestId("c2pa-signer")).toHaveTextContent("C2PA Test Signing Cert");
  });

  it("shows a remote manifest's address as plain text, never a link", () => {
    const provenance = remoteCredentials();
    const { container } = render(<ProvenancePanel provenance={provenance} type="image" />);
    expect(screen.getByTestId("c2pa-state")).toHaveTextContent("Stored online, not fetched.");
    expect(screen.getByTestId("c2pa-remote-url")).toHaveTextContent(provenance.c2pa.remote_url ?? "");
    expect(screen.getByTestId("c2pa-remote-url").closest("p")).toHaveTextContent("Lopt does not fetch that address");
    expect(container.querySelector("a")).toBeNull();
    expect(screen.queryByTestId("c2pa-signer")).not.toBeInTheDocument();
    expect(screen.getByTestId("provenance-basis")).toHaveTextContent("Unsigned metadata: anyone can write, change or strip it");
    expect(field("Software")).toHaveTextContent("Adobe Photoshop 21.1 (Macintosh) (exif:Software)");
  });

  it("lists unsigned metadata with where each value was read, and long generator text folded", async () => {
    render(<ProvenancePanel provenance={unsignedGenerator()} type="image" />);
    expect(within(section("Metadata (unsigned)")).getByText("Anyone can write, change or strip it.")).toBeInTheDocument();
    expect(field("Camera")).toHaveTextContent("Canon EOS REBEL T3 (exif:Make, exif:Model)");
    expect(within(section("Metadata (unsigned)")).getByText("Declared source", { selector: "dt" }).nextElementSibling).toHaveTextContent(
      "Trained algorithmic media (AI-generated) (xmp:DigitalSourceType)",
    );
    const [workflow, prompt] = screen.getAllByTestId("generation-text");
    expect(workflow).not.toHaveAttribute("open");
    expect(workflow).toHaveTextContent("ComfyUI text (png:workflow, 39 KB, cut)");
    expect(workflow).toHaveTextContent("Cut: the first part is shown, of 39 KB in the file.");
    expect(prompt).toHaveAttribute("open");
    expect(within(prompt).getByLabelText("ComfyUI text")).toHaveTextContent("a lighthouse at dusk");
    // Folded in a native <details>, which opens from its summary (and the keyboard, in a browser).
    await userEvent.click(within(workflow).getByText(/ComfyUI text/, { selector: "summary" }));
    expect(workflow).toHaveAttribute("open");
    expect(screen.getByRole("note")).toHaveTextContent("png:workflow was cut");
  });

  it("says metadata is read from photos only for a video, and why its credentials were not checked, once", () => {
    const provenance = provenanceOf("none", "none", {
      c2pa: { ...manifest("valid"), state: "not_checked", reason: "The C2PA SDK reads no manifests from video/webm files." },
      metadata: null,
      note: "The C2PA SDK reads no manifests from video/webm files.",
    });
    render(<ProvenancePanel provenance={provenance} type="video" />);
    expect(section("Metadata (unsigned)")).toHaveTextContent("Lopt reads metadata from photos only.");
    expect(screen.getByTestId("c2pa-state")).toHaveTextContent("Not checked.");
    expect(screen.getByTestId("c2pa-reason")).toHaveTextContent("reads no manifests from video/webm");
    expect(screen.queryByTestId("c2pa-signer")).not.toBeInTheDocument();
    // The server's note says the same as the reason: said once.
    expect(screen.queryByTestId("provenance-note")).not.toBeInTheDocument();
  });
});
