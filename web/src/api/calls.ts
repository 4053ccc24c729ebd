// The call screens' API (issue 8, docs/openapi.yaml): the live call (D2, D3, F3, F4),
// an ended call for its after-call note (G1–G4), the Ready colleagues a call can be
// transferred to (F4) and dialling (E1–E3). Below them, the pure rules the screens
// follow (tested in test/call.test.ts): note length as the server counts it, the
// customer's waiting time, the international pre-check and the keypad's input.
import { request } from './http';

// ---- shapes -------------------------------------------------------------------------

export type { CallAgent, CallDetail, CallDirection, CallMenu, CallNote, CallRecord, CallResult, DialResponse } from './types';
import type { AgentStateInfo, CallAgent, CallDetail, CallDirection, CallMenu, CallRecord, DialResponse } from './types';

/** GET /api/v1/me/call. */
export interface LiveCall {
  id: number;
  direction: CallDirection;
  stage: 'ringing' | 'dialing' | 'connected';
  customer: string;
  org_number: string;
  menu: CallMenu | null;
  agent: CallAgent | null;
  arrived_at: string;
  answered_at: string | null;
  wait_ms: number;
  held: boolean;
  held_since: string | null;
  hold_ms: number;
  transfer_to: CallAgent | null;
  earlier_contacts: CallRecord[];
  [key: string]: unknown;
}

/** An agent of the organization as colleagues see it (GET /api/v1/agents). */
export interface OrgAgent {
  id: string;
  name: string;
  menus: string[];
  state: AgentStateInfo;
  self: boolean;
  /**
   * The agent has a phone the contact center can ring now (a registered device). A
   * transfer reaches only an agent Ready and reachable; others are 409 agent-not-ready.
   */
  reachable: boolean;
}

export interface TransferResponse {
  call: number;
  to: string;
  outcome: 'ringing';
}

// ---- requests -----------------------------------------------------------------------

/** The call I am on now; ApiError 404 (/problems/no-call) when none. */
export function getMyCall(signal?: AbortSignal): Promise<LiveCall> {
  return request<LiveCall>('/api/v1/me/call', signal ? { signal } : {});
}

/** An ended call with its notes; 404 while it is still in progress. */
export function getCall(id: number, signal?: AbortSignal): Promise<CallDetail> {
  return request<CallDetail>(`/api/v1/calls/${id}`, signal ? { signal } : {});
}

export function holdCall(id: number): Promise<void> {
  return request<void>(`/api/v1/calls/${id}/hold`, { method: 'POST' });
}

export function unholdCall(id: number): Promise<void> {
  return request<void>(`/api/v1/calls/${id}/unhold`, { method: 'POST' });
}

export function hangUpCall(id: number): Promise<void> {
  return request<void>(`/api/v1/calls/${id}/hangup`, { method: 'POST' });
}

export function transferCall(id: number, agent: string): Promise<TransferResponse> {
  return request<TransferResponse>(`/api/v1/calls/${id}/transfer`, { method: 'POST', body: { agent } });
}

/** Every enabled agent of the organization, with its state (names for ids). */
export async function listAgents(signal?: AbortSignal): Promise<OrgAgent[]> {
  const list = await request<{ items: OrgAgent[] }>('/api/v1/agents', signal ? { signal } : {});
  return list.items;
}

/**
 * The Ready colleagues (not me) for the transfer list, those a transfer can reach first
 * (see transferTargets and canTransferTo).
 */
export async function readyColleagues(signal?: AbortSignal): Promise<OrgAgent[]> {
  const list = await request<{ items: OrgAgent[] }>('/api/v1/agents?state=ready', signal ? { signal } : {});
  return transferTargets(list.items);
}

/** POST /api/v1/calls: my phone rings first, then the number (E1). */
export function dial(to: string, fromCall?: number | null): Promise<DialResponse> {
  const body: { to: string; from_call?: number } = { to };
  if (fromCall) body.from_call = fromCall;
  return request<DialResponse>('/api/v1/calls', { method: 'POST', body });
}

// ---- pure rules ---------------------------------------------------------------------

/**
 * F4's list: the Ready colleagues, never me; the ones a transfer can reach (with a phone
 * connected) first, each group in the server's order (by agent ID). The unreachable
 * ones stay in the list, shown but not selectable, so the agent sees why a Ready
 * colleague cannot take the call.
 */
export function transferTargets(agents: OrgAgent[]): OrgAgent[] {
  const ready = agents.filter((a) => !a.self && a.state.state === 'ready');
  return [...ready.filter(canTransferTo), ...ready.filter((a) => !canTransferTo(a))];
}

/**
 * Whether a transfer to `a` can ring now: the server's own rule (Ready and reachable),
 * so the list offers only colleagues the transfer will accept. An item without
 * `reachable` (a server older than the field) is left for the server to decide.
 */
export function canTransferTo(a: OrgAgent): boolean {
  return !a.self && a.state.state === 'ready' && a.reachable !== false;
}

/** G4: the server's limit, in Unicode characters (code points), newlines included. */
export const NOTE_MAX = 1024;

/**
 * The note's length as the server counts it: Unicode code points of the UTF-8 text
 * (core::utf8Length), so "한" and "😀" are one each. A textarea's value already has
 * "\n" line ends, and JSON carries it as is.
 */
export function noteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The text the server accepts: control characters other than newline, carriage return
 * and tab removed (the server refuses them), a lone surrogate (not UTF-8) replaced by
 * U+FFFD as a UTF-8 encoder would, and at most `max` code points, cut between code
 * points (never inside a pair).
 */
export function cleanNote(text: string, max = NOTE_MAX): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < text.length && n < max; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
    } else if ((c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
      continue;
    } else {
      out += text[i]!;
    }
    n++;
  }
  return out;
}

/**
 * D1: how long the customer has waited, now: what the server said at the offer plus
 * the time since it arrived (local clock both). Never negative, never going back.
 */
export function waitedMs(offer: { wait_ms: number; offered_at: number }, now: number): number {
  return Math.max(0, offer.wait_ms) + Math.max(0, now - offer.offered_at);
}

/** The number as the server reads it: separators dropped, fullwidth digits and plus folded. */
export function dialDigits(typed: string): string {
  let out = '';
  for (const ch of typed.trim()) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xff10 && cp <= 0xff19) out += String.fromCharCode(0x30 + cp - 0xff10);
    else if (cp === 0xff0b) out += '+';
    else if (/[0-9+*#A-Za-z]/.test(ch)) out += ch;
    // spaces, dashes, dots, slashes, parentheses and the like: dropped
  }
  return out;
}

/**
 * E3, a pre-check only (the server decides): a number that is obviously international —
 * "+" with another country code than the organization's, or the international prefix
 * "00" (not in +7 countries, where it is "810"). "+<own code>…" is a national number the
 * server dials as such, so it passes.
 */
export function looksInternational(typed: string, countryCode: string | null | undefined): boolean {
  const d = dialDigits(typed);
  const cc = (countryCode ?? '').replace(/\D/g, '');
  if (d.startsWith('+')) {
    const rest = d.slice(1);
    if (!/^\d/.test(rest)) return false; // "+" alone, or "+abc": the server says what is wrong
    return cc === '' || !rest.startsWith(cc);
  }
  if (cc !== '7' && /^00\d/.test(d)) return true;
  return false;
}

/** The most `to` holds (DialRequest.to). */
export const DIAL_MAX = 64;

export type KeypadAction =
  | { type: 'key'; key: string }
  | { type: 'backspace' }
  | { type: 'clear' }
  | { type: 'set'; value: string };

const KEYPAD_KEYS = '0123456789*#+';

/**
 * The dial pad's number after one action: a keypad key (0–9, *, #, and + typed on a
 * keyboard) is appended, Backspace drops the last character (a whole code point),
 * "set" takes typed or pasted text (control characters dropped); never over DIAL_MAX.
 */
export function keypad(value: string, action: KeypadAction): string {
  switch (action.type) {
    case 'key':
      if (action.key.length !== 1 || !KEYPAD_KEYS.includes(action.key)) return value;
      return Array.from(value).length >= DIAL_MAX ? value : value + action.key;
    case 'backspace': {
      const chars = Array.from(value);
      chars.pop();
      return chars.join('');
    }
    case 'clear':
      return '';
    case 'set': {
      // eslint-disable-next-line no-control-regex
      const clean = Array.from(action.value.replace(/[\u0000-\u001f\u007f]/g, ''));
      return clean.slice(0, DIAL_MAX).join('');
    }
    default:
      return value;
  }
}

/**
 * A textarea edit kept within the note's rules: controls dropped, and when the edit
 * would pass `max` characters only as much of what was typed or pasted as fits is
 * kept (the rest of the text stays as it was: typing beyond the limit is refused, not
 * cut from the end). `caret` is where the cursor goes (a UTF-16 offset).
 */
export function limitEdit(prev: string, next: string, max = NOTE_MAX): { text: string; caret: number | null } {
  const clean = cleanNote(next, Number.MAX_SAFE_INTEGER);
  if (noteLength(clean) <= max) return { text: clean, caret: clean === next ? null : clean.length };
  // What changed: the common start and end of both texts, never splitting a pair.
  let p = 0;
  const lim = Math.min(prev.length, clean.length);
  while (p < lim && prev.charCodeAt(p) === clean.charCodeAt(p)) p++;
  if (p > 0 && isHigh(clean.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < lim - p && prev.charCodeAt(prev.length - 1 - s) === clean.charCodeAt(clean.length - 1 - s)) s++;
  if (s > 0 && isLow(clean.charCodeAt(clean.length - s))) s--;
  const inserted = clean.slice(p, clean.length - s);
  const kept = noteLength(prev) - noteLength(prev.slice(p, prev.length - s));
  const room = max - kept;
  if (room < 0) {
    const cut = cleanNote(clean, max);
    return { text: cut, caret: cut.length };
  }
  const fit = Array.from(inserted).slice(0, room).join('');
  return { text: clean.slice(0, p) + fit + clean.slice(clean.length - s), caret: p + fit.length };
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** "2026-…" → ms since it, or null when there is none. */
export function since(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, now - t);
}
