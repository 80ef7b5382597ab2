import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { ApiError, analyse } from "./api/client";
import { decidedByCredentials, explainedPhoto, imagePrediction, limits, tamperedCredentials } from "./test/fixtures";

vi.mock("./api/client", async (original) => ({
  ...(await original<typeof import("./api/client")>()),
  fetchLimits: vi.fn(async () => limits),
  analyse: vi.fn(),
}));

const photo = new File(["jpeg bytes"], "photo.jpg", { type: "image/jpeg" });

describe("App", () => {
  beforeEach(() => {
    URL.createObjectURL = vi.fn(() => "blob:preview");
    vi.mocked(analyse).mockReset();
  });

  it("says Lopt is busy in plain words, then retries to a verdict with face boxes, announced", async () => {
    vi.mocked(analyse)
      .mockRejectedValueOnce(new ApiError(503, "overloaded", "The inference queue is full.", 2))
      .mockResolvedValueOnce(imagePrediction());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photo);
    expect(await screen.findByRole("heading", { name: "Lopt is busy" })).toBeInTheDocument();
    expect(screen.getByText("The inference queue is full. Try again in 2 s.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { name: "Manipulated" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Verdict for photo.jpg: Manipulated, fake probability 91%.");
    expect(screen.getAllByTestId("face-box")).toHaveLength(3);
    expect(screen.getByRole("img", { name: "Preview of photo.jpg" })).toHaveAttribute("src", "blob:preview");
    expect(screen.getByTestId("history").querySelectorAll("button")).toHaveLength(2);
  });

  it("refuses a file of another type without uploading it", async () => {
    render(<App />);
    const input = await screen.findByTestId("file-input");
    await userEvent.upload(input, new File(["%PDF"], "doc.pdf", { type: "application/pdf" }), {
      applyAccept: false,
    });
    expect(screen.getByTestId("refused")).toHaveTextContent("“doc.pdf” is not a photo or video Lopt can read");
    expect(analyse).not.toHaveBeenCalled();
  });

  it("sends the file again with explain=true when heatmaps are switched on, then asks for them at once", async () => {
    vi.mocked(analyse).mockResolvedValueOnce(imagePrediction()).mockResolvedValueOnce(explainedPhoto()).mockResolvedValueOnce(explainedPhoto());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photo);
    await screen.findByRole("heading", { name: "Manipulated" });
    // Off by default: the first upload asked for no maps.
    expect(vi.mocked(analyse).mock.calls[0][1].explain).toBeFalsy();
    await userEvent.click(screen.getByRole("switch", { name: "Show heatmap" }));
    expect(await screen.findByRole("slider", { name: "Heatmap opacity" })).toBeInTheDocument();
    expect(vi.mocked(analyse).mock.calls[1][0]).toBe(photo);
    expect(vi.mocked(analyse).mock.calls[1][1].explain).toBe(true);
    expect(screen.getAllByTestId("heatmap")).toHaveLength(1);
    expect(screen.getByTestId("heatmap-legend")).toHaveTextContent("where the model looked — not proof of manipulation");
    // The explained verdict replaced the plain one: still one history entry, still the verdict.
    expect(screen.getByTestId("history").querySelectorAll("button")).toHaveLength(1);
    expect(screen.getByRole("heading", { name: "Manipulated" })).toBeInTheDocument();
    // With the switch on, the next file asks for maps with its one upload.
    await userEvent.upload(screen.getByTestId("file-input"), new File(["jpeg"], "second.jpg", { type: "image/jpeg" }));
    await screen.findAllByTestId("heatmap");
    expect(analyse).toHaveBeenCalledTimes(3);
    expect(vi.mocked(analyse).mock.calls[2][1].explain).toBe(true);
  });

  it("keeps the verdict and switches heatmaps off, saying why, on a server that draws none", async () => {
    const refusal = new ApiError(422, "invalid_request", "This server does not draw heatmaps (LOPT_HEATMAPS=false).");
    vi.mocked(analyse).mockResolvedValueOnce(imagePrediction()).mockRejectedValueOnce(refusal).mockResolvedValueOnce(imagePrediction());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photo);
    await screen.findByRole("heading", { name: "Manipulated" });
    const toggle = screen.getByRole("switch", { name: "Show heatmap" });
    await userEvent.click(toggle);
    expect(toggle).not.toBeChecked();
    expect(toggle).toBeDisabled();
    expect(toggle).toHaveAccessibleDescription(/does not draw heatmaps \(LOPT_HEATMAPS=false\)/);
    expect(screen.getByRole("heading", { name: "Manipulated" })).toBeInTheDocument();
    expect(screen.queryByTestId("heatmaps")).not.toBeInTheDocument();
    // Later files are sent as before, without asking.
    await userEvent.upload(screen.getByTestId("file-input"), new File(["jpeg"], "second.jpg", { type: "image/jpeg" }));
    await screen.findAllByRole("heading", { name: "Manipulated" });
    expect(vi.mocked(analyse).mock.calls[2][1].explain).toBeFalsy();
  });

  it("still judges a file sent with explain=true when the server refuses to draw maps", async () => {
    const refusal = new ApiError(422, "invalid_request", "This server does not draw heatmaps (LOPT_HEATMAPS=false).");
    vi.mocked(analyse)
      .mockResolvedValueOnce(imagePrediction())
      .mockResolvedValueOnce(explainedPhoto())
      .mockRejectedValueOnce(refusal)
      .mockResolvedValueOnce(imagePrediction());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photo);
    await screen.findByRole("heading", { name: "Manipulated" });
    await userEvent.click(screen.getByRole("switch", { name: "Show heatmap" }));
    await screen.findAllByTestId("heatmap");
    // Maps on: the next upload asks for them, is refused, and is judged without them.
    await userEvent.upload(screen.getByTestId("file-input"), new File(["jpeg"], "second.jpg", { type: "image/jpeg" }));
    await screen.findByText(/This server draws no heatmaps/);
    expect(vi.mocked(analyse).mock.calls.map((call) => Boolean(call[1].explain))).toEqual([false, true, true, false]);
    expect(screen.getByRole("heading", { name: "Manipulated" })).toBeInTheDocument();
    expect(screen.queryByTestId("error")).not.toBeInTheDocument();
    expect(screen.getByTestId("history").querySelectorAll("button")).toHaveLength(2);
  });

  it("asks for the maps of an earlier verdict picked from the history while heatmaps are on", async () => {
    const first = new File(["jpeg"], "first.jpg", { type: "image/jpeg" });
    vi.mocked(analyse)
      .mockResolvedValueOnce(imagePrediction({ filename: "first.jpg" }))
      .mockResolvedValueOnce(imagePrediction())
      .mockResolvedValueOnce(explainedPhoto())
      .mockResolvedValueOnce(explainedPhoto());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), first);
    await screen.findByRole("button", { name: /first\.jpg/ });
    await userEvent.upload(screen.getByTestId("file-input"), photo);
    await screen.findByRole("button", { name: /photo\.jpg/ });
    await userEvent.click(screen.getByRole("switch", { name: "Show heatmap" }));
    await screen.findAllByTestId("heatmap");
    await userEvent.click(screen.getByRole("button", { name: /first\.jpg/ }));
    await screen.findAllByTestId("heatmap");
    expect(vi.mocked(analyse).mock.calls.map(([file, options]) => `${file.name} ${Boolean(options.explain)}`)).toEqual([
      "first.jpg false",
      "photo.jpg false",
      "photo.jpg true",
      "first.jpg true",
    ]);
    // Both now keep their maps: going back asks for nothing.
    await userEvent.click(screen.getByRole("button", { name: /photo\.jpg/ }));
    await screen.findAllByTestId("heatmap");
    expect(analyse).toHaveBeenCalledTimes(4);
  });

  it("shows provenance in its own panel right after the verdict, and says when it decided the verdict", async () => {
    vi.mocked(analyse)
      .mockResolvedValueOnce(imagePrediction({ provenance: tamperedCredentials() }))
      .mockResolvedValueOnce(decidedByCredentials())
      .mockResolvedValueOnce(imagePrediction({ provenance: null }));
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photo);
    const panel = await screen.findByRole("region", { name: "Provenance" });
    const verdict = screen.getByTestId("verdict");
    expect(verdict.nextElementSibling).toBe(panel);
    expect(verdict).not.toContainElement(screen.getByTestId("provenance-badge"));
    expect(screen.getByTestId("provenance-badge")).toHaveTextContent("Tampered: Content Credentials fail verification");
    // Shown beside: the classifier's verdict and score are untouched.
    expect(screen.getByTestId("verdict-score")).toHaveTextContent("Fake probability 91%");

    await userEvent.upload(screen.getByTestId("file-input"), new File(["jpeg"], "signed.jpg", { type: "image/jpeg" }));
    expect(await screen.findByTestId("verdict-source")).toHaveTextContent("from Content Credentials");
    expect(screen.getByRole("status")).toHaveTextContent("Manipulated, from Content Credentials; the model's own verdict: Authentic");
    // The earlier file's panel is gone: one panel, the current file's.
    expect(screen.getAllByTestId("provenance")).toHaveLength(1);
    expect(screen.getByTestId("provenance-basis")).toHaveTextContent("Signed, signer on the trust list");

    // A server with LOPT_PROVENANCE off sends none: no panel.
    await userEvent.upload(screen.getByTestId("file-input"), new File(["jpeg"], "third.jpg", { type: "image/jpeg" }));
    await screen.findByTestId("verdict-score");
    expect(screen.queryByRole("region", { name: "Provenance" })).not.toBeInTheDocument();
  });
});
