// The history and callback endpoints (docs/openapi.yaml: GET /api/v1/calls, its
// cursor, /calls/{id}, /note, /recording, POST /calls, /callbacks…), their shapes,
// and the pure list logic the screens share: URL tab ↔ API filter, cursor pages merged
// without duplicates, and a note's length counted the way the server counts it.
import { query, request, requestBlob } from './http';

// ---- shapes ----------------------------------------------------------------------

export type {
  CallAgent,
  CallDetail,
  CallDirection,
  CallMenu,
  CallNote,
  CallOffer,
  CallRecord,
  CallResult,
  DialResponse,
  EndedBy,
  OfferOutcome,
} from './types';
import type { CallAgent, CallDetail, CallMenu, CallNote, CallRecord, DialResponse } from './types';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type CallbackStatus = 'pending' | 'done';

export interface Callback {
  /** The id of the call that asked for it. */
  id: number;
  call: number;
  number: string;
  menu: CallMenu | null;
  requested_at: string;
  status: CallbackStatus | 'deleted';
  done_at: string | null;
  done_by: CallAgent | null;
  done_call: number | null;
}

// ---- tabs in the URL ---------------------------------------------------------------

/** The history tabs as the API names them (`tab` of GET /api/v1/calls, I3). */
export type HistoryTab = 'mine' | 'unconnected' | 'all';
export const historyTabs: readonly HistoryTab[] = ['mine', 'unconnected', 'all'];

/** The tab's word in the app's URL (/history?tab=missed); "mine" is the bare path. */
const historyUrlWord: Record<HistoryTab, string> = { mine: 'mine', unconnected: 'missed', all: 'all' };

/** `location.search` → tab; anything unknown is "mine". The API's own word is accepted too. */
export function historyTabFromSearch(search: string): HistoryTab {
  const v = new URLSearchParams(search).get('tab');
  if (v === 'missed' || v === 'unconnected') return 'unconnected';
  if (v === 'all') return 'all';
  return 'mine';
}

/** tab → the URL of the history screen showing it. */
export function historyHref(tab: HistoryTab): string {
  return tab === 'mine' ? '/history' : `/history?tab=${historyUrlWord[tab]}`;
}

export const callbackTabs: readonly CallbackStatus[] = ['pending', 'done'];

export function callbackTabFromSearch(search: string): CallbackStatus {
  return new URLSearchParams(search).get('tab') === 'done' ? 'done' : 'pending';
}

export function callbacksHref(tab: CallbackStatus): string {
  return tab === 'pending' ? '/callbacks' : '/callbacks?tab=done';
}

// ---- cursor pages ---------------------------------------------------------------------

/** What a paged list holds: the items in server order and the cursor of the next page. */
export interface PagedList<T> {
  items: T[];
  /** Null when the last page has been loaded. */
  cursor: string | null;
}

/** The next page appended; an item already listed (same key) is not repeated. */
export function appendPage<T>(list: PagedList<T>, page: Page<T>, key: (item: T) => string | number): PagedList<T> {
  const seen = new Set(list.items.map(key));
  const added: T[] = [];
  for (const item of page.items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    added.push(item);
  }
  return { items: added.length ? [...list.items, ...added] : list.items, cursor: page.next_cursor };
}

/**
 * The list after the first page was loaded again (a live change): the fresh page
 * replaces the part of the list it covers — new items appear on top, updated ones are
 * replaced, ones gone from that range are dropped — and the rest of the list (and its
 * cursor) stays. A fresh page that does not reach the list (more new items than a page)
 * starts the list over.
 */
export function refreshFirstPage<T>(list: PagedList<T>, fresh: Page<T>, key: (item: T) => string | number): PagedList<T> {
  const freshKeys = new Set(fresh.items.map(key));
  let last = -1;
  list.items.forEach((item, i) => {
    if (freshKeys.has(key(item))) last = i;
  });
  const unique = appendPage({ items: [], cursor: null }, fresh, key).items;
  if (last === -1 || last === list.items.length - 1 || fresh.next_cursor === null) {
    // Nothing in common (a gap: start over), the page covers all that was listed, or it
    // is the whole list.
    return { items: unique, cursor: fresh.next_cursor };
  }
  const rest = list.items.slice(last + 1).filter((item) => !freshKeys.has(key(item)));
  return { items: [...unique, ...rest], cursor: list.cursor };
}

// ---- notes -----------------------------------------------------------------------------

/** G4: a note holds at most this many Unicode characters. */
export const NOTE_MAX = 1024;

/**
 * A text's length as the server counts it: Unicode code points (a Korean syllable or an
 * emoji is one; a surrogate pair is one, as in its UTF-8), not UTF-16 units.
 */
export function noteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character; a lone surrogate counts as one too.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** Control characters the server refuses in a note (newlines and tabs are fine). */
export function noteHasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text);
}

/** May `agent` write this call's note: did they answer, make or take it over (G5)? */
export function mayWriteNote(call: CallRecord, agent: string): boolean {
  if (call.agent?.id === agent) return true;
  return call.offers.some((o) => o.agent?.id === agent && o.outcome === 'answered');
}

/** E4: a customer's call can be dialled again; an internal one (no customer) cannot. */
export function canCallBack(call: Pick<CallRecord, 'direction' | 'customer'>): boolean {
  return call.direction !== 'internal' && call.customer.trim() !== '';
}

/** The agent who took the call over by a transfer (F4), if any. */
export function transferredTo(call: CallRecord): CallAgent | null {
  const first = call.agent?.id;
  for (const o of call.offers) {
    if (o.outcome === 'answered' && o.agent && o.agent.id !== first) return o.agent;
  }
  return null;
}

// ---- requests --------------------------------------------------------------------------

export const PAGE_SIZE = 30;

export function listCalls(
  tab: HistoryTab,
  cursor: string | null,
  signal?: AbortSignal,
  limit = PAGE_SIZE,
): Promise<Page<CallRecord>> {
  return request<Page<CallRecord>>(`/api/v1/calls${query({ tab, cursor, limit })}`, signal ? { signal } : {});
}

export function getCall(id: number, signal?: AbortSignal): Promise<CallDetail> {
  return request<CallDetail>(`/api/v1/calls/${id}`, signal ? { signal } : {});
}

/** G5: write or replace the caller's own note; `category` left out when the org has none. */
export function putNote(id: number, note: { category: string | null; text: string }): Promise<CallNote> {
  const body: Record<string, unknown> = { text: note.text };
  if (note.category) body.category = note.category;
  return request<CallNote>(`/api/v1/calls/${id}/note`, { method: 'PUT', body });
}

/** E4: dial the customer of a history entry again (the agent's phone rings first). */
export function dialFromCall(call: Pick<CallRecord, 'id' | 'customer'>): Promise<DialResponse> {
  return request<DialResponse>('/api/v1/calls', { method: 'POST', body: { to: call.customer, from_call: call.id } });
}

export function listCallbacks(
  status: CallbackStatus,
  cursor: string | null,
  signal?: AbortSignal,
  limit = PAGE_SIZE,
): Promise<Page<Callback>> {
  return request<Page<Callback>>(`/api/v1/callbacks${query({ status, cursor, limit })}`, signal ? { signal } : {});
}

export function deleteCallback(id: number): Promise<void> {
  return request<void>(`/api/v1/callbacks/${id}`, { method: 'DELETE' });
}

/** K1: call a customer back (the agent's phone rings first). */
export function dialCallback(id: number): Promise<DialResponse> {
  return request<DialResponse>(`/api/v1/callbacks/${id}/dial`, { method: 'POST' });
}

/**
 * I4: a recording as a Blob. The route needs the bearer token, which an <audio>
 * element cannot send; the screen plays the Blob from an object URL. One request (one
 * audit entry), never cached (the server says private, no-store).
 */
export async function fetchRecording(url: string, signal?: AbortSignal): Promise<Blob> {
  return (await requestBlob(url, signal)).blob;
}

/** A file name for a downloaded recording, by its media type. */
export function recordingFileName(callId: number, type: string): string {
  const ext = /ogg/.test(type) ? 'ogg' : /mpeg|mp3/.test(type) ? 'mp3' : /wav|wave/.test(type) ? 'wav' : 'bin';
  return `call-${callId}.${ext}`;
}
