import { describe, expect, it } from "vitest";
import { imagePrediction, provenanceOf, signedAiGenerated, tamperedCredentials, unsignedGenerator } from "../test/fixtures";
import { actionName, historyMarker, signerName, sourceTypeName, utcTime } from "./provenance";

describe("provenance texts", () => {
  it("spells IPTC digital source types out, glossing the AI ones", () => {
    const iptc = "http://cv.iptc.org/newscodes/digitalsourcetype/";
    expect(sourceTypeName(`${iptc}trainedAlgorithmicMedia`)).toBe("Trained algorithmic media (AI-generated)");
    expect(sourceTypeName(`${iptc}compositeWithTrainedAlgorithmicMedia`)).toBe(
      "Composite with trained algorithmic media (partly AI-generated)",
    );
    expect(sourceTypeName(`${iptc}digitalCapture/`)).toBe("Digital capture");
    expect(sourceTypeName("somethingNew")).toBe("Something new");
  });

  it("names actions, time stamps and signers plainly", () => {
    expect(actionName("c2pa.color_adjustments")).toBe("Color adjustments");
    expect(actionName("c2pa.created")).toBe("Created");
    expect(utcTime("2024-08-06T23:53:37+02:00")).toBe("2024-08-06 21:53 UTC");
    expect(utcTime("yesterday")).toBe("yesterday");
    const c2pa = signedAiGenerated().c2pa;
    expect(signerName(c2pa)).toBe("C2PA Test Signing Cert (certificate: C2PA Signer)");
    expect(signerName({ ...c2pa, signer_common_name: "C2PA Test Signing Cert" })).toBe("C2PA Test Signing Cert");
    expect(signerName({ ...c2pa, signer: null })).toBe("C2PA Signer");
  });

  it("marks history rows for signed declarations only", () => {
    const marked = (provenance: ReturnType<typeof provenanceOf> | null) => historyMarker(imagePrediction({ provenance }));
    expect(marked(signedAiGenerated())).toEqual({
      mark: "sparkle",
      ink: "text-violet-800 dark:text-violet-300",
      label: "Content Credentials: Declared AI-generated; signed, signer not on the trust list",
    });
    expect(marked(tamperedCredentials())?.mark).toBe("broken-seal");
    expect(marked(unsignedGenerator())).toBeNull();
    expect(marked(provenanceOf("none", "none"))).toBeNull();
    expect(marked(null)).toBeNull();
  });
});
