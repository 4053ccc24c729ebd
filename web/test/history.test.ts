// The pure parts of the history and callback screens: the swipe gesture's decision,
// cursor pages merged without duplicates, the tab kept in the URL, and a note's
// length counted as the server counts it.
import { describe, expect, it } from 'vitest';

import {
  appendPage,
  callbacksHref,
  callbackTabFromSearch,
  canCallBack,
  historyHref,
  historyTabFromSearch,
  historyTabs,
  mayWriteNote,
  NOTE_MAX,
  noteHasControlCharacters,
  noteLength,
  refreshFirstPage,
  type CallRecord,
  type PagedList,
} from '../src/api/history';
import { defaultSwipe, dragOffset, gestureAxis, swipeOutcome } from '../src/components/SwipeRow';

describe('swipe gesture', () => {
  const c = defaultSwipe; // 96 px of actions, 40 px threshold, 10 px slop

  it('takes a touch that hardly moved as a tap', () => {
    expect(swipeOutcome({ dx: 3, dy: -4, ms: 120, wasOpen: false })).toBe('tap');
    expect(swipeOutcome({ dx: -9, dy: 0, ms: 500, wasOpen: true })).toBe('tap');
  });

  it('leaves a mostly vertical gesture to the page scroll', () => {
    expect(gestureAxis(-20, 60, c.slop)).toBe('y');
    expect(swipeOutcome({ dx: -50, dy: 120, ms: 300, wasOpen: false })).toBe('scroll');
    // The axis locked at the start wins over where the finger ended up.
    expect(swipeOutcome({ dx: -80, dy: 30, ms: 600, wasOpen: false, axis: 'y' })).toBe('scroll');
  });

  it('opens past the threshold, and not before', () => {
    expect(swipeOutcome({ dx: -39, dy: 5, ms: 600, wasOpen: false })).toBe('closed');
    expect(swipeOutcome({ dx: -40, dy: 5, ms: 600, wasOpen: false })).toBe('open');
    expect(swipeOutcome({ dx: -150, dy: 10, ms: 800, wasOpen: false })).toBe('open');
  });

  it('closes an open row dragged right past the threshold', () => {
    expect(swipeOutcome({ dx: 30, dy: 0, ms: 600, wasOpen: true })).toBe('open');
    expect(swipeOutcome({ dx: 40, dy: 0, ms: 600, wasOpen: true })).toBe('closed');
  });

  it('decides a fast flick by its direction', () => {
    expect(swipeOutcome({ dx: -25, dy: 2, ms: 30, wasOpen: false })).toBe('open');
    expect(swipeOutcome({ dx: 25, dy: 2, ms: 30, wasOpen: true })).toBe('closed');
    // A swipe to the right on a closed row never opens it.
    expect(swipeOutcome({ dx: 120, dy: 0, ms: 500, wasOpen: false })).toBe('closed');
  });

  it('follows the finger between rest and the actions, resisting beyond', () => {
    expect(dragOffset(-30, false, c)).toBe(-30);
    expect(dragOffset(50, false, c)).toBe(0);
    expect(dragOffset(20, true, c)).toBe(-76);
    expect(dragOffset(-96, false, c)).toBe(-96);
    expect(dragOffset(-136, false, c)).toBe(-106);
  });
});

describe('cursor pages', () => {
  const key = (x: { id: number }) => x.id;
  const ids = (l: PagedList<{ id: number }>) => l.items.map((x) => x.id);
  const list = (items: number[], cursor: string | null): PagedList<{ id: number }> => ({ items: items.map((id) => ({ id })), cursor });
  const page = (items: number[], next: string | null) => ({ items: items.map((id) => ({ id })), next_cursor: next });

  it('appends the next page and takes its cursor', () => {
    const l = appendPage(list([9, 8, 7], 'c1'), page([6, 5, 4], 'c2'), key);
    expect(ids(l)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(l.cursor).toBe('c2');
  });

  it('never repeats an item already listed (nor one repeated within a page)', () => {
    const l = appendPage(list([9, 8, 7], 'c1'), page([7, 6, 6, 5], null), key);
    expect(ids(l)).toEqual([9, 8, 7, 6, 5]);
    expect(l.cursor).toBeNull();
  });

  it('puts new items of a reloaded first page on top and keeps the rest and its cursor', () => {
    const l = refreshFirstPage(list([9, 8, 7, 6, 5, 4], 'c2'), page([11, 10, 9], 'x'), key);
    expect(ids(l)).toEqual([11, 10, 9, 8, 7, 6, 5, 4]);
    expect(l.cursor).toBe('c2');
  });

  it('replaces updated items and drops those gone from the range the page covers', () => {
    const before = { items: [{ id: 9, v: 'old' }, { id: 8, v: 'old' }, { id: 7, v: 'old' }, { id: 6, v: 'old' }], cursor: 'c' };
    const fresh = { items: [{ id: 10, v: 'new' }, { id: 9, v: 'new' }, { id: 7, v: 'new' }], next_cursor: 'y' };
    const l = refreshFirstPage(before, fresh, key);
    expect(l.items).toEqual([{ id: 10, v: 'new' }, { id: 9, v: 'new' }, { id: 7, v: 'new' }, { id: 6, v: 'old' }]);
    expect(l.cursor).toBe('c');
  });

  it('takes the fresh cursor when the page covers everything listed', () => {
    const l = refreshFirstPage(list([9, 8], 'c1'), page([10, 9, 8, 7], 'c9'), key);
    expect(ids(l)).toEqual([10, 9, 8, 7]);
    expect(l.cursor).toBe('c9');
  });

  it('starts over when the fresh page does not reach the list (a gap), or is the whole list', () => {
    const gap = refreshFirstPage(list([5, 4, 3], 'c1'), page([20, 19, 18], 'n'), key);
    expect(ids(gap)).toEqual([20, 19, 18]);
    expect(gap.cursor).toBe('n');
    const whole = refreshFirstPage(list([5, 4, 3], 'c1'), page([6, 5, 3], null), key);
    expect(ids(whole)).toEqual([6, 5, 3]);
    expect(whole.cursor).toBeNull();
  });

  it('paging after a reload adds no duplicate', () => {
    let l = refreshFirstPage(list([9, 8, 7], 'c1'), page([10, 9, 8], 'x'), key);
    l = appendPage(l, page([7, 6], null), key);
    expect(ids(l)).toEqual([10, 9, 8, 7, 6]);
  });
});

describe('tabs in the URL', () => {
  it('maps each history tab to its URL and back', () => {
    for (const tab of historyTabs) expect(historyTabFromSearch(new URL(historyHref(tab), 'http://x').search)).toBe(tab);
    expect(historyHref('mine')).toBe('/history');
    expect(historyHref('unconnected')).toBe('/history?tab=missed');
    expect(historyHref('all')).toBe('/history?tab=all');
  });

  it('reads the API word and anything unknown', () => {
    expect(historyTabFromSearch('?tab=missed')).toBe('unconnected');
    expect(historyTabFromSearch('?tab=unconnected')).toBe('unconnected');
    expect(historyTabFromSearch('?tab=ALL')).toBe('mine');
    expect(historyTabFromSearch('')).toBe('mine');
    expect(historyTabFromSearch('?x=1&tab=all')).toBe('all');
  });

  it('maps the callback tabs', () => {
    expect(callbacksHref('pending')).toBe('/callbacks');
    expect(callbacksHref('done')).toBe('/callbacks?tab=done');
    expect(callbackTabFromSearch('?tab=done')).toBe('done');
    expect(callbackTabFromSearch('?tab=nope')).toBe('pending');
  });
});

describe('note length', () => {
  it('counts Unicode characters as the server does, not UTF-16 units', () => {
    expect(noteLength('')).toBe(0);
    expect(noteLength('abc')).toBe(3);
    expect(noteLength('환불 처리 완료')).toBe(8);
    expect(noteLength('😀')).toBe(1); // a surrogate pair is one character
    expect('😀'.length).toBe(2);
    expect(noteLength('👍🏽')).toBe(2); // two code points, as the server counts them
    expect(noteLength('a\nb\tc')).toBe(5);
    expect(noteLength('\ud800x')).toBe(2); // a lone surrogate counts once
  });

  it('puts the limit at 1024 characters, Korean or emoji alike', () => {
    expect(NOTE_MAX).toBe(1024);
    expect(noteLength('가'.repeat(1024))).toBe(1024);
    expect(noteLength('😀'.repeat(1024))).toBe(1024);
    expect(noteLength('😀'.repeat(1025)) > NOTE_MAX).toBe(true);
  });

  it('allows newlines and tabs but not other control characters', () => {
    expect(noteHasControlCharacters('line\nline\r\n\tx')).toBe(false);
    expect(noteHasControlCharacters('bell\u0007')).toBe(true);
    expect(noteHasControlCharacters('del\u007f')).toBe(true);
    expect(noteHasControlCharacters('c1\u0085')).toBe(true);
  });
});

describe('who may do what with a call', () => {
  const call = (over: Partial<CallRecord>): CallRecord => ({
    id: 1,
    direction: 'inbound',
    customer: '01012345678',
    org_number: '0215880000',
    menu: null,
    agent: { id: 'alice', name: 'Alice' },
    result: 'answered',
    arrived_at: '2026-11-24T04:00:00.000Z',
    answered_at: null,
    ended_at: '2026-11-24T04:01:00.000Z',
    wait_ms: 0,
    talk_ms: 0,
    hold_ms: 0,
    ended_by: 'customer',
    end_reason: 'hangup',
    offers: [],
    note: null,
    notes: [],
    callback: null,
    from_call: null,
    recording_url: null,
    ...over,
  });

  it('lets the agent who answered, made or took over a call write its note (G5)', () => {
    expect(mayWriteNote(call({}), 'alice')).toBe(true);
    expect(mayWriteNote(call({}), 'bob')).toBe(false);
    const moved = call({ offers: [{ agent: { id: 'bob', name: 'Bob' }, at: '2026-11-24T04:00:30.000Z', outcome: 'answered' }] });
    expect(mayWriteNote(moved, 'bob')).toBe(true);
    const missed = call({ offers: [{ agent: { id: 'bob', name: 'Bob' }, at: '2026-11-24T04:00:30.000Z', outcome: 'missed' }] });
    expect(mayWriteNote(missed, 'bob')).toBe(false);
  });

  it('does not call back an internal call (E4)', () => {
    expect(canCallBack(call({}))).toBe(true);
    expect(canCallBack(call({ direction: 'internal', customer: '' }))).toBe(false);
    expect(canCallBack(call({ customer: '' }))).toBe(false);
  });
});
