import { describe, expect, it } from 'vitest';

import {
  agentCells,
  agentTotals,
  categoryTotal,
  csvFilename,
  filenameFromDisposition,
  menuCells,
  parseStatsQuery,
  periodDays,
  periods,
  statsApiPath,
  statsLocation,
  views,
} from '../src/api/stats';
import type { AgentFigures } from '../src/api/types';
import { messages } from '../src/i18n';

describe('view and period ↔ URL query', () => {
  it('reads both from the query, defaults for missing or unknown values', () => {
    expect(parseStatsQuery('')).toEqual({ by: 'menu', period: 'today' });
    expect(parseStatsQuery('?by=agent&period=this_week')).toEqual({ by: 'agent', period: 'this_week' });
    expect(parseStatsQuery('?period=last_30_days')).toEqual({ by: 'menu', period: 'last_30_days' });
    expect(parseStatsQuery('?by=Agent&period=week')).toEqual({ by: 'menu', period: 'today' });
    expect(parseStatsQuery('?by=category&period=today&from=2026-01-01')).toEqual({ by: 'category', period: 'today' });
  });
  it('writes both, so the screen URL is never bare "/stats"', () => {
    expect(statsLocation({ by: 'menu', period: 'today' })).toBe('/stats?by=menu&period=today');
    expect(statsLocation({ by: 'agent', period: 'yesterday' })).toBe('/stats?by=agent&period=yesterday');
  });
  it('round-trips every combination', () => {
    for (const by of views) {
      for (const period of periods) {
        const url = statsLocation({ by, period });
        expect(parseStatsQuery(url.slice(url.indexOf('?')))).toEqual({ by, period });
      }
    }
  });
  it('asks the API for JSON or CSV', () => {
    expect(statsApiPath({ by: 'menu', period: 'this_month' })).toBe('/api/v1/stats?by=menu&period=this_month');
    expect(statsApiPath({ by: 'category', period: 'today' }, 'csv')).toBe('/api/v1/stats?by=category&period=today&format=csv');
  });
  it('has a label for every view and period in both languages', () => {
    for (const l of ['en', 'ko'] as const) {
      for (const v of views) expect(messages[l][`stats.view.${v}`]).toBeTruthy();
      for (const p of periods) expect(messages[l][`stats.period.${p}`]).toBeTruthy();
    }
  });
});

describe('CSV filename', () => {
  it('is the server’s name when the response has none', () => {
    expect(csvFilename({ by: 'agent', period: 'last_30_days' })).toBe('stats-agent-last_30_days.csv');
  });
  it('reads Content-Disposition, filename* first', () => {
    expect(filenameFromDisposition('attachment; filename="stats-menu-today.csv"')).toBe('stats-menu-today.csv');
    expect(filenameFromDisposition('attachment; filename=stats.csv')).toBe('stats.csv');
    expect(filenameFromDisposition(`attachment; filename="x.csv"; filename*=UTF-8''%ED%86%B5%EA%B3%84.csv`)).toBe('통계.csv');
    expect(filenameFromDisposition('attachment')).toBeNull();
    expect(filenameFromDisposition(null)).toBeNull();
  });
  it('never yields a path', () => {
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFromDisposition('attachment; filename=".."')).toBeNull();
  });
});

describe('row formatting', () => {
  const menu = {
    inflow: 12,
    answered: 9,
    unconnected: 3,
    abandoned: 1,
    callback: 1,
    no_agent: 0,
    other: 1,
    answer_rate: 0.75,
    service_level: 8 / 9,
    service_level_inflow: 8 / 12,
    avg_wait_ms: 14_500,
    max_wait_ms: 65_000,
    avg_wait_answered_ms: 9_000,
    max_wait_answered_ms: 20_000,
  };
  it('a menu row: counts, percentages, waits', () => {
    const c = menuCells(menu);
    expect(c).toMatchObject({
      inflow: '12',
      answered: '9',
      unconnected: '3',
      answer_rate: '75.0%',
      service_level: '88.9%',
      service_level_inflow: '66.7%',
      avg_wait: '0:14',
      max_wait: '1:05',
      abandoned: '1',
      callback: '1',
      no_agent: '0',
      other: '1',
      avg_wait_answered: '0:09',
      max_wait_answered: '0:20',
    });
  });
  it('an empty period: null ratios and averages are "—", never 0 %', () => {
    const c = menuCells({
      inflow: 0,
      answered: 0,
      unconnected: 0,
      answer_rate: null,
      service_level: null,
      service_level_inflow: null,
      avg_wait_ms: null,
      max_wait_ms: null,
    });
    expect(c.inflow).toBe('0');
    expect(c.answer_rate).toBe('—');
    expect(c.service_level).toBe('—');
    expect(c.service_level_inflow).toBe('—');
    expect(c.avg_wait).toBe('—');
    expect(c.max_wait).toBe('—');
    // A figure the server did not send is not invented.
    expect(c.abandoned).toBe('—');
  });
  it('an agent row: times as durations, a null average as "—"', () => {
    const f: AgentFigures = { answered: 4, outbound: 2, talk_ms: 3_725_000, avg_talk_ms: null, hold_ms: 30_000, acw_ms: 0, break_ms: 600_000, missed: 1 };
    expect(agentCells(f)).toEqual({ answered: '4', outbound: '2', talk: '1:02:05', avg_talk: '—', hold: '0:30', acw: '0:00', break: '10:00', missed: '1' });
  });
  it('agents add up, but their average is not summed', () => {
    const a: AgentFigures = { answered: 3, outbound: 1, talk_ms: 100, avg_talk_ms: 25, hold_ms: 10, acw_ms: 5, break_ms: 7, missed: 0 };
    const b: AgentFigures = { answered: 2, outbound: 0, talk_ms: 50, avg_talk_ms: 25, hold_ms: 0, acw_ms: 1, break_ms: 0, missed: 2 };
    expect(agentTotals([a, b])).toEqual({ answered: 5, outbound: 1, talk_ms: 150, avg_talk_ms: null, hold_ms: 10, acw_ms: 6, break_ms: 7, missed: 2 });
    expect(agentTotals([])).toMatchObject({ answered: 0, talk_ms: 0 });
  });
  it('notes per category add up, the uncategorized included', () => {
    expect(categoryTotal([{ key: 'Orders', name: 'Orders', notes: 4 }, { key: '', name: '', notes: 1 }])).toBe(5);
  });
});

describe('period days', () => {
  it('a day in the org’s zone, [from, to) — the last day is the one before `to`', () => {
    // Seoul: 2026-11-24 00:00 local = 2026-11-23T15:00Z.
    const d = periodDays('2026-11-23T15:00:00.000Z', '2026-11-24T15:00:00.000Z', 'Asia/Seoul', 'en');
    expect(d.first).toBe(d.last);
    expect(d.first).toBe('24/11/2026');
  });
  it('a week', () => {
    const d = periodDays('2026-11-22T15:00:00.000Z', '2026-11-29T15:00:00.000Z', 'Asia/Seoul', 'en');
    expect(d).toEqual({ first: '23/11/2026', last: '29/11/2026' });
  });
});
