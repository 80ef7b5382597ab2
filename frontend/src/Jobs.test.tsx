// The page's jobs, with the network mocked at fetch (status, cancel) and at the upload.
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { ApiError, analyse, fetchLimits, submitJob, type FileRow, type JobStatus } from "./api/client";
import { videoSeconds } from "./lib/duration";
import { limits, photoAt, videoPrediction } from "./test/fixtures";

vi.mock("./api/client", async (original) => ({
  ...(await original<typeof import("./api/client")>()),
  fetchLimits: vi.fn(),
  analyse: vi.fn(),
  submitJob: vi.fn(),
}));
vi.mock("./lib/duration", () => ({ videoSeconds: vi.fn(async () => null) }));

const row = (name: string, level: "authentic" | "manipulated", p: number): FileRow => ({
  name,
  sha256: `sha-${name}`,
  status: "succeeded",
  result: { ...photoAt(level, p), filename: name },
  error: null,
});
const broken: FileRow = { name: "broken.jpg", status: "failed", error: { code: "corrupt_media", message: "The file is damaged." } };

function status(state: JobStatus["state"], files: FileRow[], done = files.filter((f) => f.status !== "pending").length): JobStatus {
  return { id: "job1", state, done, total: files.length, created_at: 0, expires_at: 1, attempts: 1, status_url: "/api/jobs/job1", files };
}

/** fetch answering each GET/DELETE of /api/jobs/job1 in turn from ``answers`` (the last one repeats). */
function answerJobs(...answers: (JobStatus | number)[]) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      calls.push(`${request.method} ${new URL(request.url).pathname}`);
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (typeof answer === "number") {
        const body = { error: { code: "not_found", message: "No job with this id." } };
        return new Response(JSON.stringify(body), { status: answer, headers: { "Content-Type": "application/json" } });
      }
      return new Response(JSON.stringify(answer), { status: 200, headers: { "Content-Type": "application/json" } });
    }),
  );
  return calls;
}

const photos = [new File(["a"], "a.jpg", { type: "image/jpeg" }), new File(["b"], "b.jpg", { type: "image/jpeg" }), new File(["c"], "broken.jpg", { type: "image/jpeg" })];
const tableRows = () => within(screen.getByTestId("job-table")).getAllByRole("row").slice(1).map((tr) => tr.querySelector("th")?.textContent);

describe("jobs on the page", () => {
  beforeEach(() => {
    URL.createObjectURL = vi.fn(() => "blob:preview");
    URL.revokeObjectURL = vi.fn();
    vi.mocked(fetchLimits).mockResolvedValue({ ...limits, max_video_seconds: 3600 });
    vi.mocked(analyse).mockReset();
    vi.mocked(submitJob).mockReset().mockResolvedValue({ id: "job1", state: "queued", total: 3, status_url: "/api/jobs/job1" });
    window.history.replaceState(null, "", "/");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("sends several files as one job, shows its progress, then a table sorted by any column and exported as CSV", async () => {
    const judged = [row("a.jpg", "authentic", 0.05), row("b.jpg", "manipulated", 0.93), broken];
    const calls = answerJobs(status("running", [judged[0], { name: "b.jpg", status: "pending" }, { name: "broken.jpg", status: "pending" }]), status("succeeded", judged));
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photos);
    expect(submitJob).toHaveBeenCalledWith(photos, expect.anything());
    expect(analyse).not.toHaveBeenCalled();
    const bar = await screen.findByRole("progressbar", { name: "Files judged" });
    expect(bar).toHaveAttribute("aria-valuenow", "33");
    expect(bar).toHaveAttribute("aria-valuetext", "1 of 3 files");
    expect(screen.getByTestId("job-progress-text")).toHaveTextContent("Judging: 1 of 3 files done.");
    expect(window.location.search).toBe("?job=job1");

    expect(await screen.findByText("Done: 2 judged, 1 could not be judged.", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(calls).toEqual(["GET /api/jobs/job1", "GET /api/jobs/job1"]);
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(tableRows()).toEqual(["a.jpg", "b.jpg", "broken.jpg"]);
    expect(screen.getByText("The file is damaged.")).toBeInTheDocument();

    const header = screen.getByRole("columnheader", { name: /Fake probability/ });
    expect(header).toHaveAttribute("aria-sort", "none");
    await userEvent.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(tableRows()).toEqual(["b.jpg", "a.jpg", "broken.jpg"]);
    await userEvent.click(screen.getByRole("button", { name: /File/ }));
    await userEvent.click(screen.getByRole("button", { name: /File/ }));
    expect(screen.getByRole("columnheader", { name: /File/ })).toHaveAttribute("aria-sort", "descending");
    expect(header).toHaveAttribute("aria-sort", "none");
    expect(tableRows()).toEqual(["broken.jpg", "b.jpg", "a.jpg"]);

    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    const link = clicked.mock.instances[0] as unknown as HTMLAnchorElement;
    expect(link.download).toBe("lopt-job-job1.csv");
    const blob = vi.mocked(URL.createObjectURL).mock.calls.at(-1)?.[0] as Blob;
    // jsdom's Blob has no text(): read it as a browser's FileReader does.
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(blob);
    });
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("file,status,verdict,fake_probability,calibrated,verdict_reason,sha256,error_code,error_message");
    // In the order shown: file names descending.
    expect(lines.slice(1, 4).map((line) => line.split(",").slice(0, 4).join(","))).toEqual([
      "broken.jpg,failed,,",
      "b.jpg,succeeded,manipulated,0.93",
      "a.jpg,succeeded,authentic,0.05",
    ]);
    clicked.mockRestore();

    await userEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByTestId("job")).not.toBeInTheDocument();
    expect(window.location.search).toBe("");
  });

  it("finds a running job again from the page's address after a reload, and cancels it", async () => {
    window.history.replaceState(null, "", "/?job=job1");
    const calls = answerJobs(status("running", [row("a.jpg", "authentic", 0.05), { name: "b.jpg", status: "pending" }]), status("cancelled", [], 1));
    render(<App />);
    expect(await screen.findByText("Judging: 1 of 2 files done.")).toBeInTheDocument();
    expect(tableRows()).toEqual(["a.jpg", "b.jpg"]);
    await userEvent.click(screen.getByRole("button", { name: "Cancel job" }));
    expect(await screen.findByText("Cancelled: its files and results were deleted.")).toBeInTheDocument();
    expect(calls).toEqual(["GET /api/jobs/job1", "DELETE /api/jobs/job1"]);
    expect(screen.queryByRole("button", { name: "Cancel job" })).not.toBeInTheDocument();
    expect(submitJob).not.toHaveBeenCalled();
  });

  it("says plainly when the job in the address is gone", async () => {
    window.history.replaceState(null, "", "/?job=job1");
    answerJobs(404);
    render(<App />);
    expect(await screen.findByRole("heading", { name: "This job is gone" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
  });

  it("says when the queue is full and how long to wait (503, Retry-After), then sends the files again", async () => {
    vi.mocked(submitJob).mockRejectedValueOnce(new ApiError(503, "overloaded", "4 jobs are already queued or running (LOPT_JOB_MAX_QUEUED).", 5));
    answerJobs(status("queued", [{ name: "a.jpg", status: "pending" }, { name: "b.jpg", status: "pending" }], 0));
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), photos.slice(0, 2));
    expect(await screen.findByRole("heading", { name: "Lopt is busy: the job was not started" })).toBeInTheDocument();
    expect(screen.getByText("4 jobs are already queued or running (LOPT_JOB_MAX_QUEUED). Try again in 5 s.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Queued: 2 files wait for a worker.")).toBeInTheDocument();
    expect(submitJob).toHaveBeenCalledTimes(2);
  });

  it("sends a 40-minute video as a job and shows its verdict like a direct upload's; a short one goes direct", async () => {
    const talk = new File(["webm"], "talk.webm", { type: "video/webm" });
    vi.mocked(videoSeconds).mockResolvedValueOnce(40 * 60).mockResolvedValueOnce(30);
    vi.mocked(submitJob).mockResolvedValue({ id: "job1", state: "queued", total: 1, status_url: "/api/jobs/job1" });
    answerJobs(status("succeeded", [{ name: "talk.webm", status: "succeeded", result: { ...videoPrediction(), filename: "talk.webm" } }]));
    vi.mocked(analyse).mockResolvedValue(videoPrediction());
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), talk);
    expect(await screen.findByRole("heading", { name: "Long video: talk.webm" })).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Manipulated" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Verdict for talk.webm: Manipulated");
    expect(within(screen.getByTestId("history")).getByRole("button", { name: /talk\.webm/ })).toBeInTheDocument();
    expect(analyse).not.toHaveBeenCalled();

    await userEvent.upload(screen.getByTestId("file-input"), new File(["webm"], "clip.webm", { type: "video/webm" }));
    await waitFor(() => expect(analyse).toHaveBeenCalledTimes(1));
    expect(submitJob).toHaveBeenCalledTimes(1);
  });

  it("refuses a video longer than the server judges, before sending it", async () => {
    vi.mocked(fetchLimits).mockResolvedValue(limits);
    vi.mocked(videoSeconds).mockResolvedValueOnce(40 * 60);
    render(<App />);
    await userEvent.upload(await screen.findByTestId("file-input"), new File(["webm"], "talk.webm", { type: "video/webm" }));
    expect(await screen.findByTestId("refused")).toHaveTextContent("“talk.webm” is 40 min long; this server judges videos up to 1 min.");
    expect(submitJob).not.toHaveBeenCalled();
    expect(analyse).not.toHaveBeenCalled();
  });
});
