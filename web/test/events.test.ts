// The events socket's bookkeeping (A3): backoff, resume by sequence number, resync,
// session end — driven through EventStream with a fake WebSocket and fake timers.
import { describe, expect, it } from 'vitest';

import { EventStream, backoffMs, judge, type ConnectionStatus, type ServerEvent } from '../src/api/events';

describe('backoffMs', () => {
  it('doubles from half a second up to 30 s, with ±20 % jitter', () => {
    expect(backoffMs(0, () => 0.5)).toBe(500);
    expect(backoffMs(1, () => 0.5)).toBe(1000);
    expect(backoffMs(5, () => 0.5)).toBe(16000);
    expect(backoffMs(6, () => 0.5)).toBe(30000);
    expect(backoffMs(50, () => 0.5)).toBe(30000);
    expect(backoffMs(0, () => 0)).toBe(400);
    expect(backoffMs(0, () => 1)).toBe(600);
  });
});

describe('judge', () => {
  it('delivers the next event, skips repeats and asks for a resync on a gap', () => {
    expect(judge(null, { type: 'agent.state', seq: 1 })).toEqual({ kind: 'deliver', seq: 1 });
    expect(judge(4, { type: 'agent.state', seq: 5 })).toEqual({ kind: 'deliver', seq: 5 });
    expect(judge(5, { type: 'agent.state', seq: 5 })).toEqual({ kind: 'skip' });
    expect(judge(5, { type: 'agent.state', seq: 3 })).toEqual({ kind: 'skip' });
    expect(judge(5, { type: 'agent.state', seq: 8 })).toEqual({ kind: 'resync', seq: 8 });
    expect(judge(5, { type: 'pong', seq: 5 })).toEqual({ kind: 'skip' });
    expect(judge(5, { type: 'hello', seq: 7 })).toEqual({ kind: 'hello', seq: 7 });
    expect(judge(5, { type: 'resync', seq: 9 })).toEqual({ kind: 'resync', seq: 9 });
  });
});

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function harness() {
  FakeSocket.all = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: ServerEvent[] = [];
  const statuses: ConnectionStatus[] = [];
  let resyncs = 0;
  let ended = 0;
  const stream = new EventStream({
    token: 'sbs_test',
    url: 'ws://127.0.0.1:1/api/v1/events',
    onEvent: (e) => events.push(e),
    onResync: () => resyncs++,
    onStatus: (s) => statuses.push(s),
    onSessionEnded: () => ended++,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => undefined,
  });
  return { stream, timers, events, statuses, get resyncs() { return resyncs; }, get ended() { return ended; } };
}

describe('EventStream', () => {
  it('authenticates by first message, then resumes after a drop from the last seq it processed', () => {
    const h = harness();
    h.stream.start();
    const first = FakeSocket.all[0]!;
    first.open();
    expect(JSON.parse(first.sent[0]!)).toEqual({ type: 'auth', token: 'sbs_test' });
    first.receive({ type: 'hello', seq: 0 });
    first.receive({ seq: 1, type: 'agent.state', state: 'ready' });
    first.receive({ seq: 2, type: 'queue.waiting', total: 1 });
    expect(h.events.map((e) => e.seq)).toEqual([1, 2]);
    first.drop();
    expect(h.statuses.at(-1)).toBe('down');
    // The reconnect waits the backoff, then asks for what came after seq 2.
    const retry = h.timers.find((t) => t.ms >= 400 && t.ms <= 600);
    expect(retry).toBeDefined();
    retry!.fn();
    const second = FakeSocket.all[1]!;
    second.open();
    expect(JSON.parse(second.sent[0]!)).toEqual({ type: 'auth', token: 'sbs_test', since: 2 });
    second.receive({ type: 'hello', seq: 4 });
    second.receive({ seq: 2, type: 'queue.waiting', total: 1 }); // a repeat is dropped
    second.receive({ seq: 3, type: 'call.ended', call: 9 });
    second.receive({ seq: 4, type: 'agent.state', state: 'acw' });
    expect(h.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(h.resyncs).toBe(0);
    expect(h.statuses.at(-1)).toBe('open');
  });

  it('reloads over HTTP on resync and on a gap, and takes the new position', () => {
    const h = harness();
    h.stream.start();
    const s = FakeSocket.all[0]!;
    s.open();
    s.receive({ type: 'hello', seq: 10 });
    s.receive({ seq: 11, type: 'agent.state' });
    s.receive({ seq: 40, type: 'resync' });
    expect(h.resyncs).toBe(1);
    expect(h.stream.position).toBe(40);
    s.receive({ seq: 41, type: 'agent.state' });
    s.receive({ seq: 45, type: 'agent.state' }); // a gap the server did not announce
    expect(h.resyncs).toBe(2);
    expect(h.events.map((e) => e.seq)).toEqual([11, 41]);
  });

  it('a counter that restarted (server restart) resyncs; session end stops reconnecting', () => {
    const h = harness();
    h.stream.start();
    const a = FakeSocket.all[0]!;
    a.open();
    a.receive({ type: 'hello', seq: 0 });
    a.receive({ seq: 1, type: 'x' });
    a.receive({ seq: 2, type: 'x' });
    a.drop();
    h.timers.at(-1)!.fn();
    const b = FakeSocket.all[1]!;
    b.open();
    b.receive({ type: 'hello', seq: 0 });
    expect(h.resyncs).toBe(1);
    b.receive({ seq: 1, type: 'y' });
    expect(h.events.at(-1)!.type).toBe('y');
    const timersBefore = h.timers.length;
    b.drop(4001);
    expect(h.ended).toBe(1);
    expect(h.timers.length).toBe(timersBefore); // no reconnect after "session ended"
  });
});
