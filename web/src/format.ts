// Numbers, durations and times as agents read them: times in the org's time zone
// (docs/statistics.md), ratios as percentages, "—" where a figure has no value (a
// ratio without inflow is null, never 0 %).

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 65_000 → "1:05", 3_725_000 → "1:02:05"; negative counts as 0. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(sec)}` : `${m}:${pad2(sec)}`;
}

/** 0.8333 → "83.3%"; null → "—". */
export function percent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return `${(ms / 1000).toFixed(1)}s`;
}

function parts(iso: string, timeZone: string, lang: string, opts: Intl.DateTimeFormatOptions): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', { timeZone, ...opts }).format(d);
}

/** "14:05" in the zone. */
export function clock(iso: string, timeZone: string, lang: string): string {
  return parts(iso, timeZone, lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** "2026-11-24 14:05" style, localized, in the zone. */
export function dateTime(iso: string, timeZone: string, lang: string): string {
  return parts(iso, timeZone, lang, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

export function date(iso: string, timeZone: string, lang: string): string {
  return parts(iso, timeZone, lang, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

/** A phone number grouped for reading: 01012345678 → 010-1234-5678 (Korean forms), else as given. */
export function phone(n: string): string {
  const d = n.replace(/[^0-9+]/g, '');
  if (/^01\d{8,9}$/.test(d)) return d.length === 10 ? `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}` : `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}`;
  if (/^02\d{7,8}$/.test(d)) return d.length === 9 ? `02-${d.slice(2, 5)}-${d.slice(5)}` : `02-${d.slice(2, 6)}-${d.slice(6)}`;
  if (/^0\d{2}\d{7,8}$/.test(d)) return d.length === 10 ? `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}` : `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}`;
  return n;
}
