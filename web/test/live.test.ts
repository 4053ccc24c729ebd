// The live snapshot the screens show, event by event (docs/events.md).
import { describe, expect, it } from 'vitest';

import { applyEvent, emptySnapshot, type LiveSnapshot } from '../src/state/live';

const me = 'bob';
function run(events: object[], start: LiveSnapshot = emptySnapshot): LiveSnapshot {
  return events.reduce<LiveSnapshot>((s, e) => applyEvent(s, e as { type: string }, me, 1000), start);
}

describe('applyEvent', () => {
  it('an offered call shows until the agent stops ringing; answering makes it the active call', () => {
    const ringing = run([
      { type: 'agent.state', agent: 'bob', state: 'ringing', since: '2026-11-24T01:00:00Z' },
      { type: 'call.offered', agent: 'bob', call: 7, direction: 'inbound', customer: '0101', menu: { digit: '1', name: 'Orders' }, wait_ms: 8200 },
    ]);
    expect(ringing.offered).toMatchObject({ call: 7, customer: '0101', wait_ms: 8200, offered_at: 1000 });
    const talking = run([
      { type: 'call.answered', agent: 'bob', call: 7 },
      { type: 'agent.state', agent: 'bob', state: 'on_call', since: '2026-11-24T01:00:05Z' },
    ], ringing);
    expect(talking.offered).toBeNull();
    expect(talking.activeCall).toBe(7);
    const held = run([{ type: 'call.held', agent: 'bob', call: 7 }], talking);
    expect(held.held).toBe(true);
    const ended = run([
      { type: 'call.ended', agent: 'bob', call: 7, result: 'answered' },
      { type: 'agent.state', agent: 'bob', state: 'acw', since: '2026-11-24T01:03:00Z' },
    ], held);
    expect(ended.activeCall).toBeNull();
    expect(ended.held).toBe(false);
    expect(ended.endedCall).toBe(7);
    expect(ended.state).toEqual({ state: 'acw', since: '2026-11-24T01:03:00Z' });
    expect(ended.changes).toBe(1);
  });

  it('a missed offer clears the incoming screen; other agents\u2019 events change nothing of mine', () => {
    const s = run([
      { type: 'call.offered', agent: 'bob', call: 8, customer: '0102', wait_ms: 0 },
      { type: 'call.offered', agent: 'alice', call: 9, customer: '0103', wait_ms: 0 },
      { type: 'agent.state', agent: 'alice', state: 'on_call', since: 'x' },
    ]);
    expect(s.offered?.call).toBe(8);
    expect(s.state).toBeNull();
    const missed = run([{ type: 'agent.state', agent: 'bob', state: 'ready', since: '2026-11-24T01:00:20Z' }], s);
    expect(missed.offered).toBeNull();
  });

  it('queue counts replace the previous ones; a transfer the colleague took ends my part', () => {
    const s = run([{ type: 'queue.waiting', menus: [{ digit: '1', name: 'A', waiting: 2 }], total: 2 }]);
    expect(s.waiting?.total).toBe(2);
    const t = run([
      { type: 'call.answered', agent: 'bob', call: 3 },
      { type: 'call.transferred', call: 3, from: 'bob', to: 'carol', outcome: 'ringing' },
    ], s);
    expect(t.activeCall).toBe(3);
    const done = run([{ type: 'call.transferred', call: 3, from: 'bob', to: 'carol', outcome: 'answered' }], t);
    expect(done.activeCall).toBeNull();
    expect(done.endedCall).toBe(3);
    expect(done.waiting?.total).toBe(2);
  });
});
