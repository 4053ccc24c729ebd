// The login session (B1–B4): the token in this browser's storage, "save ID" (B2),
// the agent and org (GET /api/v1/me), the live snapshot and its events socket. The
// screens read these signals; actions here change them.
import { computed, signal } from '@preact/signals';

import { ApiError, request, setSessionEndedHandler, setToken } from './api/http';
import { EventStream, backoffMs, type ConnectionStatus, type ServerEvent } from './api/events';
import type { AgentStateName, DialResponse, LoginResponse, Me } from './api/types';
import type { MessageKey } from './i18n';
import { applyEvent, emptySnapshot, type LiveSnapshot } from './state/live';

const TOKEN_KEY = 'sb.token';
const SAVED_KEY = 'sb.saved-id';

export const me = signal<Me | null>(null);
export const live = signal<LiveSnapshot>(emptySnapshot);
export const connection = signal<ConnectionStatus>('connecting');
/** Why the login screen is showing (the session ended, …), or null. */
export const loginNotice = signal<MessageKey | null>(null);
/** Bumped on resync: screens reload what they show over HTTP. */
export const reloads = signal(0);
export const booting = signal(true);

export const timezone = computed(() => me.value?.org.timezone ?? 'UTC');

let stream: EventStream | null = null;

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage refused (private mode): the session lasts this page */
  }
}
function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export interface SavedId {
  org: string;
  agent: string;
}
export function savedId(): SavedId | null {
  const raw = load(SAVED_KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as SavedId;
    return typeof v.org === 'string' && typeof v.agent === 'string' ? v : null;
  } catch {
    return null;
  }
}

function endLocally(notice: MessageKey | null): void {
  stream?.stop();
  stream = null;
  setToken(null);
  store(TOKEN_KEY, null);
  me.value = null;
  live.value = emptySnapshot;
  loginNotice.value = notice;
}

setSessionEndedHandler(() => endLocally('login.session_ended'));

async function refreshMe(): Promise<void> {
  const m = await request<Me>('/api/v1/me');
  me.value = m;
  live.value = { ...live.value, state: m.state };
  // A call in progress (the app was reloaded mid-call, or events were missed).
  try {
    const call = await request<{ id: number; stage: string; held: boolean }>('/api/v1/me/call');
    if (call.stage === 'connected' || call.stage === 'dialing') {
      live.value = { ...live.value, activeCall: call.id, held: call.held, offered: null };
    }
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    live.value = { ...live.value, activeCall: null, held: false };
  }
  // Reloaded during after-call work: the after-call screen is for my call that ended
  // as the state began.
  if (m.state.state === 'acw' && live.value.endedCall === null) {
    const list = await request<{ items: { id: number; ended_at: string | null }[] }>('/api/v1/calls?tab=mine&limit=1');
    const last = list.items[0];
    if (last?.ended_at && Math.abs(Date.parse(last.ended_at) - Date.parse(m.state.since)) < 60_000) {
      live.value = { ...live.value, endedCall: last.id };
    }
  }
}

function onEvent(ev: ServerEvent): void {
  const who = me.value?.agent.id;
  if (!who) return;
  live.value = applyEvent(live.value, ev, who, Date.now());
}

function startEvents(token: string): void {
  stream?.stop();
  stream = new EventStream({
    token,
    onEvent,
    onResync: () => {
      void refreshMe().catch(() => undefined);
      reloads.value++;
    },
    onStatus: (s) => {
      connection.value = s;
    },
    onSessionEnded: () => endLocally('login.session_ended'),
  });
  stream.start();
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => stream?.nudge());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') stream?.nudge();
  });
}

/** The server could not be reached at start (offline): the stored session is kept and retried. */
export const unreachable = signal(false);
let bootRetry: ReturnType<typeof setTimeout> | null = null;
let bootAttempt = 0;

/**
 * At start: resume a stored session, if it still works. A session the server refuses
 * ends; a server that cannot be reached (the device is offline, the service worker
 * showed the cached shell) keeps the session and tries again with backoff and as soon
 * as the browser says it is online.
 */
export async function boot(): Promise<void> {
  const token = load(TOKEN_KEY);
  if (bootRetry !== null) clearTimeout(bootRetry);
  bootRetry = null;
  try {
    if (!token) return;
    setToken(token);
    await refreshMe();
    unreachable.value = false;
    bootAttempt = 0;
    startEvents(token);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) endLocally('login.session_ended');
    else if (e instanceof ApiError) endLocally(null);
    else {
      unreachable.value = true;
      bootRetry = setTimeout(() => void boot(), backoffMs(bootAttempt++));
    }
  } finally {
    booting.value = false;
  }
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    if (unreachable.value) void boot();
  });
}

export async function logIn(org: string, agent: string, password: string, saveId: boolean): Promise<LoginResponse> {
  const res = await request<LoginResponse>('/api/v1/sessions', {
    method: 'POST',
    body: { org, agent, password },
    anonymous: true,
  });
  store(SAVED_KEY, saveId ? JSON.stringify({ org, agent }) : null);
  setToken(res.token);
  store(TOKEN_KEY, res.token);
  loginNotice.value = null;
  await refreshMe();
  startEvents(res.token);
  return res;
}

export async function logOut(): Promise<void> {
  try {
    await request<void>('/api/v1/sessions/current', { method: 'DELETE' });
  } finally {
    endLocally(null);
  }
}

/** C1: Ready, Break or after-call work; `note` saves the after-call note with it (G3). */
export async function setState(
  state: Extract<AgentStateName, 'ready' | 'break' | 'acw'>,
  note?: { call: number; category: string; text: string },
): Promise<void> {
  const body: Record<string, unknown> = { state };
  if (note) body.note = note;
  const res = await request<{ state: AgentStateName; since: string }>('/api/v1/me/state', { method: 'PUT', body });
  live.value = { ...live.value, state: { state: res.state, since: res.since } };
}

/**
 * Places a call (E4, K1) and, once the server took it, lets the shell show it (as after
 * a reload mid-dial, refreshMe). A call can end before its 202 arrives (the agent's
 * phone is not registered, say), and its `call.ended` event then came first: when any
 * change arrived meanwhile, the server is asked whether the call is still on.
 * Resolves false when it ended already.
 */
export async function placeCall(dial: () => Promise<DialResponse>): Promise<boolean> {
  let seen = live.value.changes;
  const res = await dial();
  for (let attempt = 0; attempt < 3 && live.value.changes !== seen; attempt++) {
    seen = live.value.changes;
    try {
      const call = await request<{ id: number; stage: string }>('/api/v1/me/call');
      if (call.id !== res.id || (call.stage !== 'dialing' && call.stage !== 'connected')) return false;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  }
  live.value = { ...live.value, activeCall: res.id, held: false, offered: null };
  return true;
}
