// What the More screens (L1, B4) read and send: the org's notices and FAQ, the
// agent's inquiries to support, the open-source licences of this build, and the
// password change. Also the pure parts they rest on: the inquiry's and the new
// password's checks (the server's limits and policy, mirrored so that most mistakes
// are caught before a round trip; the server stays the judge), the server's password
// problems in the agent's language, and the light markup of the terms and privacy texts.
//
// Notices, FAQ and inquiries as src/api/api_content.cpp serves them (limits in
// src/acd/content.hpp): GET /api/v1/notices (cursor pages like /api/v1/callbacks,
// pinned first, then newest; items without their body), GET /api/v1/notices/{id} (with
// it; 404 for one not published), GET /api/v1/faq (in order, {items, next_cursor: null}),
// POST /api/v1/inquiries → 201 with the stored inquiry (429 with Retry-After beyond 20 an
// hour), GET /api/v1/inquiries (the caller's own, newest first, cursor pages). Lists
// are read whether they come bare or as {items, next_cursor}.
import { query, request } from './http';

// ---- notices ----

export interface Notice {
  id: number;
  title: string;
  /** Plain text; a list may leave it out (or empty): the detail has it. */
  body?: string;
  published_at: string;
  updated_at?: string;
  pinned: boolean;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A list as the server sends it, bare or paged. */
export function asPage<T>(v: unknown): Page<T> {
  if (Array.isArray(v)) return { items: v as T[], next_cursor: null };
  if (v && typeof v === 'object' && Array.isArray((v as { items?: unknown }).items)) {
    const p = v as { items: T[]; next_cursor?: unknown };
    return { items: p.items, next_cursor: typeof p.next_cursor === 'string' && p.next_cursor !== '' ? p.next_cursor : null };
  }
  return { items: [], next_cursor: null };
}

export const noticePageSize = 20;

export async function listNotices(cursor: string | null, signal?: AbortSignal): Promise<Page<Notice>> {
  const path = `/api/v1/notices${query({ cursor, limit: noticePageSize })}`;
  return asPage<Notice>(await request<unknown>(path, signal ? { signal } : {}));
}

export function getNotice(id: number, signal?: AbortSignal): Promise<Notice> {
  return request<Notice>(`/api/v1/notices/${encodeURIComponent(String(id))}`, signal ? { signal } : {});
}

// ---- FAQ ----

export interface FaqEntry {
  id: number;
  question: string;
  answer: string;
  category?: string | null;
}

export async function listFaq(signal?: AbortSignal): Promise<FaqEntry[]> {
  return asPage<FaqEntry>(await request<unknown>('/api/v1/faq', signal ? { signal } : {})).items;
}

/** The FAQ in its order, grouped by category in the order each first appears ("" = none). */
export function groupFaq(entries: FaqEntry[]): { category: string; entries: FaqEntry[] }[] {
  const groups: { category: string; entries: FaqEntry[] }[] = [];
  for (const e of entries) {
    const category = (e.category ?? '').trim();
    let g = groups.find((x) => x.category === category);
    if (!g) groups.push((g = { category, entries: [] }));
    g.entries.push(e);
  }
  return groups;
}

/** Entries whose question, answer or category holds every word of `text` (any case). */
export function filterFaq(entries: FaqEntry[], text: string): FaqEntry[] {
  const words = text.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries;
  return entries.filter((e) => {
    const hay = `${e.question}\n${e.answer}\n${e.category ?? ''}`.toLocaleLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

// ---- inquiries ----

/** The server's limits (src/acd/content.hpp), in Unicode characters. */
export const inquiryLimits = { subject: 200, body: 5000, contact: 254 } as const;

export interface Inquiry {
  id: number;
  subject: string;
  body: string;
  contact?: string | null;
  created_at: string;
  agent?: { id: string; name: string } | null;
}

export interface InquiryInput {
  subject: string;
  body: string;
  contact: string;
}

export type InquiryProblem = 'required' | 'too_long' | 'control' | 'contact_format';
export type InquiryProblems = Partial<Record<keyof InquiryInput, InquiryProblem>>;

/** Unicode characters (code points), as the server counts: an emoji is one, not two. */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// Subjects are one line; bodies may hold line breaks and tabs (as the server's).
// eslint-disable-next-line no-control-regex
const anyControl = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const controlButBreaks = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function isEmail(s: string): boolean {
  const at = s.indexOf('@');
  if (at <= 0 || at > 64 || s.indexOf('@', at + 1) !== -1) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(local) || local.startsWith('.') || local.endsWith('.')) return false;
  if (domain === '' || domain.length > 253 || !domain.includes('.')) return false;
  return domain.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}

function isPhone(s: string): boolean {
  const rest = s.startsWith('+') ? s.slice(1) : s;
  if (!/^[0-9][0-9 .()-]*$/.test(rest) || !/[0-9)]$/.test(rest)) return false;
  const digits = rest.replace(/[^0-9]/g, '').length;
  return digits >= 3 && digits <= 20;
}

/** An e-mail address or a phone number, as checkInquiryContact accepts them. */
export function isContact(s: string): boolean {
  return s.length <= inquiryLimits.contact && (isEmail(s) || isPhone(s));
}

/** The body to send: subject and contact trimmed, an empty contact left out. */
export function inquiryBody(input: InquiryInput): { subject: string; body: string; contact?: string } {
  const out: { subject: string; body: string; contact?: string } = { subject: input.subject.trim(), body: input.body.trim() };
  const contact = input.contact.trim();
  if (contact) out.contact = contact;
  return out;
}

/** What is wrong with an inquiry before it is sent (empty when nothing is). */
export function checkInquiry(input: InquiryInput): InquiryProblems {
  const p: InquiryProblems = {};
  const sent = inquiryBody(input);
  if (sent.subject === '') p.subject = 'required';
  else if (charCount(sent.subject) > inquiryLimits.subject) p.subject = 'too_long';
  else if (anyControl.test(sent.subject)) p.subject = 'control';
  if (sent.body === '') p.body = 'required';
  else if (charCount(sent.body) > inquiryLimits.body) p.body = 'too_long';
  else if (controlButBreaks.test(sent.body)) p.body = 'control';
  if (sent.contact !== undefined) {
    if (charCount(sent.contact) > inquiryLimits.contact) p.contact = 'too_long';
    else if (!isContact(sent.contact)) p.contact = 'contact_format';
  }
  return p;
}

export function sendInquiry(input: InquiryInput): Promise<Inquiry> {
  return request<Inquiry>('/api/v1/inquiries', { method: 'POST', body: inquiryBody(input) });
}

export async function listInquiries(cursor: string | null, signal?: AbortSignal): Promise<Page<Inquiry>> {
  const path = `/api/v1/inquiries${query({ cursor, limit: 20 })}`;
  return asPage<Inquiry>(await request<unknown>(path, signal ? { signal } : {}));
}

// ---- licences (dist/licenses.json, written by scripts/postbuild.mjs) ----

export interface LicenceEntry {
  name: string;
  version: string;
  license: string;
  source: string;
  text: string;
}
export interface Licences {
  app: LicenceEntry[];
  server: LicenceEntry[];
}

function entries(v: unknown): LicenceEntry[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string')
    .map((e) => ({
      name: String(e.name),
      version: typeof e.version === 'string' ? e.version : '',
      license: typeof e.license === 'string' && e.license ? e.license : '',
      source: typeof e.source === 'string' ? e.source : '',
      text: typeof e.text === 'string' ? e.text : '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** licenses.json read defensively: the lists sorted by name, anything malformed left out. */
export function parseLicences(v: unknown): Licences {
  const o = v && typeof v === 'object' ? (v as { app?: unknown; server?: unknown }) : {};
  return { app: entries(o.app), server: entries(o.server) };
}

export async function loadLicences(signal?: AbortSignal): Promise<Licences> {
  const res = await fetch('/licenses.json', { headers: { Accept: 'application/json' }, cache: 'no-cache', ...(signal ? { signal } : {}) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  // A dev server answers a missing file with index.html: not JSON, so it throws here.
  return parseLicences(await res.json());
}

// ---- password (B3–B4) ----

export type PasswordProblem = 'required' | 'too_short' | 'too_long' | 'control' | 'mismatch' | 'same';

/** The server's policy (docs/openapi.yaml, "Password policy"), the parts a client can see. */
export const passwordLimits = { min: 8, max: 128 } as const;

/** What the form can tell before sending; the server also refuses the agent ID and common passwords. */
export function checkPasswordChange(current: string, next: string, confirm: string): Partial<Record<'current' | 'next' | 'confirm', PasswordProblem>> {
  const p: Partial<Record<'current' | 'next' | 'confirm', PasswordProblem>> = {};
  if (current === '') p.current = 'required';
  const n = charCount(next);
  if (next === '') p.next = 'required';
  else if (n < passwordLimits.min) p.next = 'too_short';
  else if (n > passwordLimits.max) p.next = 'too_long';
  else if (anyControl.test(next)) p.next = 'control';
  else if (current !== '' && next === current) p.next = 'same';
  if (confirm === '') p.confirm = 'required';
  else if (!p.next && confirm !== next) p.confirm = 'mismatch';
  return p;
}

export function changePassword(current: string, next: string): Promise<void> {
  return request<void>('/api/v1/me/password', { method: 'PUT', body: { current, new: next } });
}

export type PolicyReason = 'too_short' | 'too_long' | 'control' | 'agent_id' | 'common' | 'same';

/**
 * The reason behind a 422 weak-password, from its detail (English, "may change"): the
 * known sentences in the agent's language; null for any other, whose detail is then shown as sent.
 */
export function policyReason(detail: string | undefined): PolicyReason | null {
  const d = (detail ?? '').toLowerCase();
  if (d.includes('at least')) return 'too_short';
  if (d.includes('at most')) return 'too_long';
  if (d.includes('control character')) return 'control';
  if (d.includes('agent id')) return 'agent_id';
  if (d.includes('too common')) return 'common';
  if (d.includes('differ from the current')) return 'same';
  return null;
}

// ---- the terms' and privacy texts' light markup ----

export type TextBlock = { kind: 'h'; text: string } | { kind: 'p'; text: string } | { kind: 'ul'; items: string[] };

/** Blocks split by blank lines: "## " a heading, lines of "- " a list, else a paragraph. */
export function textBlocks(text: string): TextBlock[] {
  return text
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((b): TextBlock => {
      if (b.startsWith('## ')) return { kind: 'h', text: b.slice(3).trim() };
      const lines = b.split('\n').map((l) => l.trim());
      if (lines.every((l) => l.startsWith('- '))) return { kind: 'ul', items: lines.map((l) => l.slice(2).trim()) };
      return { kind: 'p', text: lines.join(' ') };
    });
}
