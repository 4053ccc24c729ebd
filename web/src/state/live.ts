// What the screens show live, kept current by the events WebSocket (docs/events.md).
// applyEvent is pure: the tests feed it events and check the result.
import type { AgentStateInfo, AgentStateName, Menu } from '../api/types';

export interface OfferedCall {
  call: number;
  direction: 'inbound' | 'outbound' | 'internal';
  customer: string;
  menu: Menu | null;
  /** Waited so far when offered, and when that was (local clock), so the screen counts on. */
  wait_ms: number;
  offered_at: number;
  transfer_from: string | null;
  from: string | null;
}

export interface Waiting {
  menus: (Menu & { waiting: number })[];
  total: number;
}

export interface LiveSnapshot {
  state: AgentStateInfo | null;
  waiting: Waiting | null;
  offered: OfferedCall | null;
  /** The call the agent is on (answered or dialled), until it ends. */
  activeCall: number | null;
  held: boolean;
  /** The call that ended last for this agent: the after-call screen writes its note. */
  endedCall: number | null;
  /** Bumped by events that change what lists and figures show (history, stats, callbacks). */
  changes: number;
}

export const emptySnapshot: LiveSnapshot = {
  state: null,
  waiting: null,
  offered: null,
  activeCall: null,
  held: false,
  endedCall: null,
  changes: 0,
};

type Ev = { type: string; [key: string]: unknown };

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The snapshot after one event, for the agent `me`; `now` is the local clock (ms). */
export function applyEvent(s: LiveSnapshot, ev: Ev, me: string, now: number): LiveSnapshot {
  switch (ev.type) {
    case 'agent.state': {
      if (ev.agent !== me) return s;
      const state = str(ev.state) as AgentStateName | null;
      const since = str(ev.since);
      if (!state || !since) return s;
      const next: LiveSnapshot = { ...s, state: { state, since } };
      // The incoming-call screen lasts while the agent's phone rings.
      if (state !== 'ringing') next.offered = null;
      if (state !== 'on_call' && state !== 'ringing') {
        next.activeCall = null;
        next.held = false;
      }
      // Leaving after-call work closes the after-call screen for good.
      if (s.state?.state === 'acw' && state !== 'acw') next.endedCall = null;
      return next;
    }
    case 'call.offered': {
      if (ev.agent !== me) return s;
      const call = num(ev.call);
      if (call === null) return s;
      const menu = ev.menu && typeof ev.menu === 'object' ? (ev.menu as Menu) : null;
      return {
        ...s,
        offered: {
          call,
          direction: (str(ev.direction) ?? 'inbound') as OfferedCall['direction'],
          customer: str(ev.customer) ?? '',
          menu,
          wait_ms: num(ev.wait_ms) ?? 0,
          offered_at: now,
          transfer_from: str(ev.transfer_from),
          from: str(ev.from),
        },
      };
    }
    case 'call.answered': {
      if (ev.agent !== me) return s;
      const call = num(ev.call);
      return { ...s, offered: null, activeCall: call, held: false };
    }
    case 'call.held':
      if (ev.agent !== me || num(ev.call) !== s.activeCall) return s;
      return { ...s, held: true };
    case 'call.resumed':
      if (ev.agent !== me || num(ev.call) !== s.activeCall) return s;
      return { ...s, held: false };
    case 'call.transferred': {
      const call = num(ev.call);
      // The colleague took it: the call is no longer ours.
      if (ev.from === me && ev.outcome === 'answered' && call === s.activeCall) {
        return { ...s, activeCall: null, held: false, endedCall: call, changes: s.changes + 1 };
      }
      return s;
    }
    case 'call.ended': {
      const call = num(ev.call);
      if (call === null) return { ...s, changes: s.changes + 1 };
      // Mine: the call I was on, or one that ended with me as its agent (an own call
      // that was never answered included): its after-call screen is this one's.
      const mine = call === s.activeCall || ev.agent === me;
      return {
        ...s,
        offered: s.offered?.call === call ? null : s.offered,
        activeCall: call === s.activeCall ? null : s.activeCall,
        held: call === s.activeCall ? false : s.held,
        endedCall: mine ? call : s.endedCall,
        changes: s.changes + 1,
      };
    }
    case 'queue.waiting': {
      const menus = Array.isArray(ev.menus) ? (ev.menus as Waiting['menus']) : [];
      return { ...s, waiting: { menus, total: num(ev.total) ?? menus.reduce((a, m) => a + (m.waiting ?? 0), 0) } };
    }
    case 'callback.created':
      return { ...s, changes: s.changes + 1 };
    default:
      return s;
  }
}
