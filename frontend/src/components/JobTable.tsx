import { useState } from "react";
import type { FileRow } from "../api/client";
import { percent } from "../lib/format";
import { sortRows, toCsv, type Sort, type SortKey } from "../lib/jobs";
import { LEVELS } from "../lib/levels";
import { LevelIcon } from "./LevelIcon";

const COLUMNS: { key: SortKey; label: string; first: Sort["direction"] }[] = [
  { key: "file", label: "File", first: "ascending" },
  // The most alarming first: that is what someone sorting a batch by verdict looks for.
  { key: "verdict", label: "Verdict", first: "descending" },
  { key: "probability", label: "Fake probability", first: "descending" },
  { key: "status", label: "Status", first: "ascending" },
];

const STATUS_TEXT: Record<FileRow["status"], string> = {
  pending: "Waiting",
  succeeded: "Judged",
  failed: "Could not judge",
};

function Verdict({ row }: { row: FileRow }) {
  if (!row.result) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  const style = LEVELS[row.result.verdict];
  return (
    <span className={`inline-flex items-center gap-1 font-semibold ${style.text}`} data-level={row.result.verdict}>
      <LevelIcon level={row.result.verdict} size={14} />
      {style.name}
    </span>
  );
}

function Probability({ row }: { row: FileRow }) {
  // A not-applicable score is for reference only: it stays out of the column, as in the history.
  if (!row.result || row.result.verdict === "not_applicable") return <span className="text-slate-500 dark:text-slate-400">—</span>;
  return <span className="tabular-nums">{percent(row.result.fake_probability)}</span>;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

interface Props {
  jobId: string;
  rows: FileRow[];
}

/** One row per file of a job, sortable by each column, exported as CSV in the order shown. */
export function JobTable({ jobId, rows }: Props) {
  const [sort, setSort] = useState<Sort | null>(null);
  const shown = sort ? sortRows(rows, sort) : rows;
  const sortBy = (key: SortKey, first: Sort["direction"]) =>
    setSort((now) =>
      now?.key === key ? { key, direction: now.direction === "ascending" ? "descending" : "ascending" } : { key, direction: first },
    );
  const heading = "px-3 py-2 text-left font-semibold";

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="job-results" className="text-sm font-semibold">
          Results · {rows.length} {rows.length === 1 ? "file" : "files"}
        </h3>
        <button
          type="button"
          onClick={() => download(`lopt-job-${jobId}.csv`, toCsv(shown))}
          className="rounded-lg px-3 py-1.5 text-sm font-semibold ring-1 ring-slate-300 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:ring-slate-700 dark:hover:bg-slate-800"
        >
          Export CSV
        </button>
      </div>
      {/* Scrolls sideways on a phone rather than squeezing names letter by letter; focusable,
          so the keyboard can scroll it too. */}
      <div
        tabIndex={0}
        role="region"
        aria-label="Results table"
        className="overflow-x-auto rounded-xl ring-1 ring-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:ring-slate-700"
      >
        <table className="w-full text-sm" aria-labelledby="job-results" data-testid="job-table">
          <thead className="bg-slate-100 dark:bg-slate-800">
            <tr>
              {COLUMNS.map(({ key, label, first }) => (
                <th key={key} scope="col" aria-sort={sort?.key === key ? sort.direction : "none"} className={heading}>
                  <button
                    type="button"
                    onClick={() => sortBy(key, first)}
                    className="inline-flex items-center gap-1 rounded hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500"
                  >
                    {label}
                    <span aria-hidden="true" className="text-xs text-slate-500 dark:text-slate-400">
                      {sort?.key !== key ? "↕" : sort.direction === "ascending" ? "▲" : "▼"}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-700">
            {shown.map((row, index) => (
              <tr key={`${row.name}-${index}`} data-status={row.status}>
                <th scope="row" className="min-w-[8rem] px-3 py-2 text-left font-normal [overflow-wrap:anywhere]">
                  {row.name}
                </th>
                <td className="px-3 py-2 whitespace-nowrap">
                  <Verdict row={row} />
                </td>
                <td className="px-3 py-2 whitespace-nowrap">
                  <Probability row={row} />
                </td>
                <td className="min-w-[9rem] px-3 py-2">
                  <span className={row.status === "failed" ? "font-semibold text-rose-800 dark:text-rose-300" : undefined}>
                    {STATUS_TEXT[row.status]}
                  </span>
                  {row.error ? <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-300">{row.error.message}</p> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
