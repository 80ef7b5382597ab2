import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { limits } from "../test/fixtures";
import { DropZone } from "./DropZone";

const photo = new File(["x"], "photo.jpg", { type: "image/jpeg" });

describe("DropZone", () => {
  it("hands over a dropped file", async () => {
    const onFiles = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFiles={onFiles} />);
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [photo] } });
    await waitFor(() => expect(onFiles).toHaveBeenCalledWith([photo]));
  });

  it("opens the picker from the keyboard and limits it to accepted types", async () => {
    const onFiles = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFiles={onFiles} />);
    const input = screen.getByTestId("file-input") as HTMLInputElement;
    expect(input.accept).toContain("image/jpeg");
    expect(input.accept).toContain(".webm");
    const opened = vi.spyOn(input, "click");
    await userEvent.tab();
    expect(screen.getByRole("button", { name: "Choose a file" })).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    expect(opened).toHaveBeenCalled();
    await userEvent.upload(input, photo);
    expect(onFiles).toHaveBeenCalledWith([photo]);
  });

  it("hands over many dropped files and every file of a dropped folder, named by its path", async () => {
    const onFiles = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFiles={onFiles} />);
    const second = new File(["y"], "second.png", { type: "image/png" });
    const fileEntry = (file: File, fullPath: string) => ({ isFile: true, isDirectory: false, fullPath, file: (done: (f: File) => void) => done(file) });
    let reads = 0;
    const folder = {
      isFile: false,
      isDirectory: true,
      fullPath: "/event",
      createReader: () => ({
        // Two batches, then none: every batch must be read.
        readEntries: (done: (entries: unknown[]) => void) =>
          done([[fileEntry(second, "/event/second.png")], [fileEntry(new File(["z"], ".DS_Store"), "/event/.DS_Store")], []][reads++]),
      }),
    };
    const items = [photo, null].map((file, index) => ({
      kind: "file",
      webkitGetAsEntry: () => (index === 0 ? fileEntry(file as File, "/photo.jpg") : folder),
    }));
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { items, files: [] } });
    await waitFor(() => expect(onFiles).toHaveBeenCalledTimes(1));
    expect(onFiles.mock.calls[0][0].map((file: File) => file.name)).toEqual(["photo.jpg", "event/second.png"]);
  });

  it("offers several files and a folder from the pickers", async () => {
    const onFiles = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFiles={onFiles} />);
    const input = screen.getByTestId("file-input") as HTMLInputElement;
    expect(input.multiple).toBe(true);
    expect(screen.getByTestId("folder-input")).toHaveAttribute("webkitdirectory");
    const second = new File(["y"], "second.png", { type: "image/png" });
    await userEvent.upload(input, [photo, second]);
    expect(onFiles).toHaveBeenCalledWith([photo, second]);
  });

  it("shows the limits it read from the API and ignores drops while busy", () => {
    const onFiles = vi.fn();
    render(<DropZone limits={limits} disabled onFiles={onFiles} />);
    expect(screen.getByText(/Up to 1000 bytes and 1 min of video/)).toBeInTheDocument();
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [photo] } });
    expect(onFiles).not.toHaveBeenCalled();
  });
});
