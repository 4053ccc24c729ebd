// GET /api/v1/stats (J1–J5): the report's shapes, the screen's view and period as they
// live in the URL query (?by=…&period=…), the figures of a row as the table shows
// them, and the CSV export (format=csv), which needs the bearer token and so is
// fetched here and saved from a Blob rather than opened as a plain link.
import { date, duration, percent } from '../format';
import { query, request, requestBlob } from './http';
import type { AgentFigures, CallFigures } from './types';

export type StatsView = 'menu' | 'agent' | 'category';
export type StatsPeriod = 'today' | 'yesterday' | 'this_week' | 'this_month' | 'last_30_days';

export const views: StatsView[] = ['menu', 'agent', 'category'];
export const periods: StatsPeriod[] = ['today', 'yesterday', 'this_week', 'this_month', 'last_30_days'];

export interface StatsQuery {
  by: StatsView;
  period: StatsPeriod;
}
export const defaultStatsQuery: StatsQuery = { by: 'menu', period: 'today' };

/** Inflow figures as the API sends them (docs/statistics.md), reasons included. */
export interface MenuFigures extends CallFigures {
  abandoned: number;
  callback: number;
  no_agent: number;
  other: number;
  service_level_inflow: number | null;
  avg_wait_answered_ms: number | null;
  max_wait_answered_ms: number | null;
}
export type MenuRow = { key: string; name: string } & MenuFigures;
export type AgentRow = { key: string; name: string } & AgentFigures & { outbound_answered?: number };
export interface CategoryRow {
  key: string;
  name: string;
  notes: number;
}

interface ReportBase {
  period: { name: StatsPeriod | null; from: string; to: string; timezone: string };
  service_level_s: number;
  total: MenuFigures;
}
export type StatsReport =
  | (ReportBase & { by: 'menu'; rows: MenuRow[] })
  | (ReportBase & { by: 'agent'; rows: AgentRow[] })
  | (ReportBase & { by: 'category'; rows: CategoryRow[] });

function isView(v: string | null): v is StatsView {
  return v !== null && (views as string[]).includes(v);
}
function isPeriod(v: string | null): v is StatsPeriod {
  return v !== null && (periods as string[]).includes(v);
}

/** The screen's choice from a location's query ("?by=agent&period=this_week"); unknown values fall back to the defaults. */
export function parseStatsQuery(search: string): StatsQuery {
  const q = new URLSearchParams(search);
  const by = q.get('by');
  const period = q.get('period');
  return { by: isView(by) ? by : defaultStatsQuery.by, period: isPeriod(period) ? period : defaultStatsQuery.period };
}

/**
 * The screen's own URL for a choice. Both parameters are always written: the router's
 * navigate() ignores a target equal to the current path, and "/stats" alone would be
 * one when the query is dropped.
 */
export function statsLocation(q: StatsQuery): string {
  return `/stats${query({ by: q.by, period: q.period })}`;
}

/** The API path of a report, JSON or CSV. */
export function statsApiPath(q: StatsQuery, format: 'json' | 'csv' = 'json'): string {
  return `/api/v1/stats${query({ by: q.by, period: q.period, format: format === 'csv' ? 'csv' : undefined })}`;
}

export function loadStats(q: StatsQuery, signal?: AbortSignal): Promise<StatsReport> {
  return request<StatsReport>(statsApiPath(q), signal ? { signal } : {});
}

/** The name the server gives the file ("stats-<by>-<period>.csv"), used when its header gives none. */
export function csvFilename(q: StatsQuery): string {
  return `stats-${q.by}-${q.period}.csv`;
}

/** The filename of a Content-Disposition header (RFC 6266: filename* wins over filename), else null. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return safeFilename(decodeURIComponent(star[1].trim()));
    } catch {
      /* a malformed escape: try the plain form */
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  return name ? safeFilename(name) : null;
}

function safeFilename(name: string): string | null {
  // A name, never a path; no control characters.
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[/\\]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim() ?? '';
  return base && base !== '.' && base !== '..' ? base : null;
}

/**
 * Fetches the CSV with the session's token and saves it: a plain <a href> cannot send
 * the Authorization header. Throws ApiError as request() does.
 */
export async function downloadStatsCsv(q: StatsQuery): Promise<string> {
  const got = await requestBlob(statsApiPath(q, 'csv'));
  const blob = got.blob;
  const name = filenameFromDisposition(got.filename === null ? null : `attachment; filename="${got.filename}"`) ?? csvFilename(q);
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Let the browser start the download before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return name;
}

// ---- a row as the table shows it: every cell a string, "—" where there is no value ----

export interface MenuCells {
  inflow: string;
  answered: string;
  unconnected: string;
  answer_rate: string;
  service_level: string;
  service_level_inflow: string;
  avg_wait: string;
  max_wait: string;
  /** The four reasons (shown on expand); they add up to unconnected. */
  abandoned: string;
  callback: string;
  no_agent: string;
  other: string;
  avg_wait_answered: string;
  max_wait_answered: string;
}

function count(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '—';
}

/** Waits are over all inflow (as on the main screen); those over answered calls go with the reasons. */
export function menuCells(f: Partial<MenuFigures>): MenuCells {
  return {
    inflow: count(f.inflow),
    answered: count(f.answered),
    unconnected: count(f.unconnected),
    answer_rate: percent(f.answer_rate),
    service_level: percent(f.service_level),
    service_level_inflow: percent(f.service_level_inflow),
    avg_wait: duration(f.avg_wait_ms),
    max_wait: duration(f.max_wait_ms),
    abandoned: count(f.abandoned),
    callback: count(f.callback),
    no_agent: count(f.no_agent),
    other: count(f.other),
    avg_wait_answered: duration(f.avg_wait_answered_ms),
    max_wait_answered: duration(f.max_wait_answered_ms),
  };
}

export interface AgentCells {
  answered: string;
  outbound: string;
  talk: string;
  avg_talk: string;
  hold: string;
  acw: string;
  break: string;
  missed: string;
}

export function agentCells(f: Partial<AgentFigures>): AgentCells {
  return {
    answered: count(f.answered),
    outbound: count(f.outbound),
    talk: duration(f.talk_ms),
    avg_talk: duration(f.avg_talk_ms),
    hold: duration(f.hold_ms),
    acw: duration(f.acw_ms),
    break: duration(f.break_ms),
    missed: count(f.missed),
  };
}

/**
 * The agents' sums. Every figure but the average adds up (the agents' answered make
 * the org's); the average talk cannot be derived from the rows, so it is null.
 */
export function agentTotals(rows: AgentFigures[]): AgentFigures {
  const sum = (k: 'answered' | 'outbound' | 'talk_ms' | 'hold_ms' | 'acw_ms' | 'break_ms' | 'missed') =>
    rows.reduce((a, r) => a + (Number.isFinite(r[k]) ? r[k] : 0), 0);
  return {
    answered: sum('answered'),
    outbound: sum('outbound'),
    talk_ms: sum('talk_ms'),
    avg_talk_ms: null,
    hold_ms: sum('hold_ms'),
    acw_ms: sum('acw_ms'),
    break_ms: sum('break_ms'),
    missed: sum('missed'),
  };
}

export function categoryTotal(rows: CategoryRow[]): number {
  return rows.reduce((a, r) => a + (Number.isFinite(r.notes) ? r.notes : 0), 0);
}

/**
 * The report's days in the org's zone: the period is [from, to), so its last day is
 * the one holding the instant before `to`. One day gives the same string twice.
 */
export function periodDays(from: string, to: string, timeZone: string, lang: string): { first: string; last: string } {
  const end = Date.parse(to);
  const lastInstant = Number.isNaN(end) ? to : new Date(end - 1).toISOString();
  return { first: date(from, timeZone, lang), last: date(lastInstant, timeZone, lang) };
}
