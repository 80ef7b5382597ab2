// The files of a drop: plain files as they are, folders walked (their files named by path).

/** Every file under a dropped entry; a file inside a folder is renamed to its path there. */
async function filesUnder(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    const path = entry.fullPath.replace(/^\//, "");
    return path.includes("/") ? [new File([file], path, { type: file.type, lastModified: file.lastModified })] : [file];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until it answers none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(filesUnder));
  return nested.flat().filter((file) => !file.name.split("/").pop()?.startsWith("."));
}

/** The dropped files, with folders walked; without folder support, the plain file list. */
export async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  const entries = [...(transfer.items ?? [])]
    .filter((item) => item.kind === "file")
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((entry) => entry === null)) return [...transfer.files];
  return (await Promise.all(entries.map((entry) => filesUnder(entry as FileSystemEntry)))).flat();
}
