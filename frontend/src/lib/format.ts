export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A 0..1 value as a whole percentage, rounded as the server rounds the numbers in its
 * sentences (Python's `{:.0%}`: ties to even), so the page and `verdict_reason` agree. */
export function percent(probability: number): string {
  const scaled = probability * 100;
  let whole = Math.round(scaled);
  if (whole - scaled === 0.5 && whole % 2 !== 0) whole -= 1;
  return `${whole}%`;
}

export function seconds(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} s`;
}
