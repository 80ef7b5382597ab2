import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { limits } from "../test/fixtures";
import { DropZone } from "./DropZone";

const photo = new File(["x"], "photo.jpg", { type: "image/jpeg" });

describe("DropZone", () => {
  it("hands over a dropped file", () => {
    const onFile = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFile={onFile} />);
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [photo] } });
    expect(onFile).toHaveBeenCalledWith(photo);
  });

  it("opens the picker from the keyboard and limits it to accepted types", async () => {
    const onFile = vi.fn();
    render(<DropZone limits={limits} disabled={false} onFile={onFile} />);
    const input = screen.getByTestId("file-input") as HTMLInputElement;
    expect(input.accept).toContain("image/jpeg");
    expect(input.accept).toContain(".webm");
    const opened = vi.spyOn(input, "click");
    await userEvent.tab();
    expect(screen.getByRole("button", { name: "Choose a file" })).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    expect(opened).toHaveBeenCalled();
    await userEvent.upload(input, photo);
    expect(onFile).toHaveBeenCalledWith(photo);
  });

  it("shows the limits it read from the API and ignores drops while busy", () => {
    const onFile = vi.fn();
    render(<DropZone limits={limits} disabled onFile={onFile} />);
    expect(screen.getByText(/Up to 1000 bytes and 1 min of video/)).toBeInTheDocument();
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [photo] } });
    expect(onFile).not.toHaveBeenCalled();
  });
});
