/**
 * Number, money, time and age formatting for the console's tables and cards. A figure that rounds
 * to zero at the digits shown (-0, float noise such as -1e-12) is shown as zero: no sign, no colour.
 */

/** `text` without its minus when it shows no digit but 0 ("-0.00" → "0.00"). */
const zeroUnsigned = (text: string) => (/[1-9]/.test(text) ? text : text.replace("-", ""));

export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  return zeroUnsigned(x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
}

/** A price or size with as many decimals as it needs (up to 8), never in exponent form. */
export function qty(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x) || x === 0) return x === 0 ? "0" : "—";
  return zeroUnsigned(x.toLocaleString("en-US", { maximumFractionDigits: 8 }));
}

export function signed(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const text = num(x, digits);
  return x > 0 && /[1-9]/.test(text) ? `+${text}` : text;
}

export function pct(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${zeroUnsigned((ratio * 100).toFixed(2))} %`;
}

export function clockTime(ms: number | null | undefined): string {
  if (!ms) return "—";
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

export function age(sinceMs: number | null | undefined, nowMs: number): string {
  if (!sinceMs) return "—";
  const s = Math.max(0, Math.round((nowMs - sinceMs) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** CSS class for a profit or loss figure shown with `digits` decimals (none when it shows as zero). */
export function pnlClass(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !/[1-9]/.test(num(x, digits))) return "";
  return x > 0 ? "up" : "down";
}
