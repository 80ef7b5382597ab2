import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { ApiError, analyse } from "./api/client";
import { imagePrediction, limits } from "./test/fixtures";

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
});
