import { describe, expect, it } from 'vitest';

import {
  asPage,
  charCount,
  checkInquiry,
  checkPasswordChange,
  filterFaq,
  groupFaq,
  inquiryBody,
  inquiryLimits,
  isContact,
  parseLicences,
  policyReason,
  textBlocks,
} from '../src/api/content';
import { messages } from '../src/i18n';

const ok = { subject: 'Headset crackles', body: 'Since this morning.\nOn every call.', contact: '' };

describe('inquiry checks mirror the server (src/acd/content.hpp)', () => {
  it('limits', () => {
    expect(inquiryLimits).toEqual({ subject: 200, body: 5000, contact: 254 });
  });
  it('a good one passes; subject and contact are trimmed, an empty contact left out', () => {
    expect(checkInquiry(ok)).toEqual({});
    expect(inquiryBody({ subject: '  Hi ', body: ' text\n', contact: '  ' })).toEqual({ subject: 'Hi', body: 'text' });
    expect(inquiryBody({ ...ok, contact: ' a@b.co ' }).contact).toBe('a@b.co');
  });
  it('subject and body are required (blank counts as empty)', () => {
    expect(checkInquiry({ subject: '   ', body: '\n', contact: '' })).toEqual({ subject: 'required', body: 'required' });
  });
  it('counts Unicode characters, not UTF-16 units: 200 Korean or emoji characters fit', () => {
    expect(charCount('한국어')).toBe(3);
    expect(charCount('😀')).toBe(1);
    expect(checkInquiry({ ...ok, subject: '😀'.repeat(200) })).toEqual({});
    expect(checkInquiry({ ...ok, subject: '가'.repeat(201) })).toEqual({ subject: 'too_long' });
    expect(checkInquiry({ ...ok, body: 'x'.repeat(5000) })).toEqual({});
    expect(checkInquiry({ ...ok, body: '나'.repeat(5001) })).toEqual({ body: 'too_long' });
  });
  it('a subject is one line; a body may hold line breaks and tabs but no other control characters', () => {
    expect(checkInquiry({ ...ok, subject: 'a\nb' })).toEqual({ subject: 'control' });
    expect(checkInquiry({ ...ok, body: 'a\n\tb\r\nc' })).toEqual({});
    expect(checkInquiry({ ...ok, body: 'bell\u0007' })).toEqual({ body: 'control' });
  });
  it('a contact is an e-mail address or a phone number', () => {
    for (const good of ['name@example.com', 'a.b+c@mail.example.co.kr', '010-1234-5678', '+82 10 1234 5678', '02 1588 0000', '82 (10) 1234.5678', '119']) {
      expect(isContact(good), good).toBe(true);
    }
    for (const bad of ['Kim', 'name@localhost', 'name@@example.com', '.a@example.com', 'a@-x.com', '12', '+', '1'.repeat(21), '010-1234-', 'a b@example.com', '이메일@example.com', '(02) 1588-0000']) {
      // ('(02) …': the server wants a digit, or '+' and a digit, first)
      expect(isContact(bad), bad).toBe(false);
    }
    expect(checkInquiry({ ...ok, contact: 'call me' })).toEqual({ contact: 'contact_format' });
    expect(checkInquiry({ ...ok, contact: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` })).toEqual({ contact: 'too_long' });
  });
  it('every problem has a message in both languages', () => {
    for (const l of ['en', 'ko'] as const) {
      for (const p of ['required', 'too_long', 'control', 'contact_format'] as const) expect(messages[l][`more.inquiry.${p}`]).toBeTruthy();
    }
  });
});

describe('password change', () => {
  it('the policy parts a form can see', () => {
    expect(checkPasswordChange('old-secret', 'Tulip-harbor-42', 'Tulip-harbor-42')).toEqual({});
    expect(checkPasswordChange('', '', '')).toEqual({ current: 'required', next: 'required', confirm: 'required' });
    expect(checkPasswordChange('x', 'short', 'short')).toEqual({ next: 'too_short' });
    expect(checkPasswordChange('x', '비밀번호는여덟자', '비밀번호는여덟자')).toEqual({});
    expect(checkPasswordChange('x', 'a'.repeat(129), 'a'.repeat(129))).toEqual({ next: 'too_long' });
    expect(checkPasswordChange('x', 'abc\u0001defgh', 'abc\u0001defgh')).toEqual({ next: 'control' });
    expect(checkPasswordChange('Same-as-before-1', 'Same-as-before-1', 'Same-as-before-1')).toEqual({ next: 'same' });
    expect(checkPasswordChange('x', 'Tulip-harbor-42', 'Tulip-harbor-43')).toEqual({ confirm: 'mismatch' });
  });
  it('the server’s policy details in the agent’s language, anything else as sent', () => {
    expect(policyReason('The password must have at least 8 characters.')).toBe('too_short');
    expect(policyReason('The password must have at most 128 characters.')).toBe('too_long');
    expect(policyReason('The password must not contain control characters.')).toBe('control');
    expect(policyReason('The password must not be the agent ID.')).toBe('agent_id');
    expect(policyReason('The password is too common; choose another.')).toBe('common');
    expect(policyReason('The new password must differ from the current one.')).toBe('same');
    expect(policyReason('Something new.')).toBeNull();
    expect(policyReason(undefined)).toBeNull();
    for (const r of ['too_short', 'too_long', 'control', 'agent_id', 'common', 'same'] as const) {
      expect(messages.ko[`more.password.${r}`]).toBeTruthy();
    }
  });
});

describe('lists, FAQ, licences, texts', () => {
  it('a list bare or paged', () => {
    expect(asPage([1, 2])).toEqual({ items: [1, 2], next_cursor: null });
    expect(asPage({ items: [1], next_cursor: 'abc' })).toEqual({ items: [1], next_cursor: 'abc' });
    expect(asPage({ items: [], next_cursor: null })).toEqual({ items: [], next_cursor: null });
    expect(asPage(null)).toEqual({ items: [], next_cursor: null });
  });
  it('FAQ grouped by category in order of first appearance, searchable', () => {
    const faq = [
      { id: 1, question: 'How do I log in?', answer: 'With your org, ID and password.', category: 'Account' },
      { id: 2, question: 'No sound?', answer: 'Check the microphone.' },
      { id: 3, question: 'Forgot password', answer: 'Ask an admin.', category: 'Account' },
    ];
    expect(groupFaq(faq).map((g) => [g.category, g.entries.map((e) => e.id)])).toEqual([
      ['Account', [1, 3]],
      ['', [2]],
    ]);
    expect(filterFaq(faq, 'PASSWORD').map((e) => e.id)).toEqual([1, 3]);
    expect(filterFaq(faq, 'ask admin').map((e) => e.id)).toEqual([3]);
    expect(filterFaq(faq, '  ')).toHaveLength(3);
  });
  it('licenses.json read defensively, sorted by name', () => {
    const l = parseLicences({
      app: [{ name: 'preact', version: '10.29.8', license: 'MIT', source: 'npm', text: 'MIT …' }, { name: '@preact/signals', version: '2', license: 'MIT', source: 'npm', text: '' }, { bogus: true }],
      server: [{ name: 'libsqlite3-dev', version: '', license: '', source: 'debian', text: 'public domain' }],
    });
    expect(l.app.map((e) => e.name)).toEqual(['@preact/signals', 'preact']);
    expect(l.server[0]).toEqual({ name: 'libsqlite3-dev', version: '', license: '', source: 'debian', text: 'public domain' });
    expect(parseLicences('<html>')).toEqual({ app: [], server: [] });
  });
  it('the terms’ light markup', () => {
    expect(textBlocks('## Title\n\nOne\nparagraph.\n\n- a\n- b')).toEqual([
      { kind: 'h', text: 'Title' },
      { kind: 'p', text: 'One paragraph.' },
      { kind: 'ul', items: ['a', 'b'] },
    ]);
    for (const l of ['en', 'ko'] as const) {
      for (const k of ['more.terms.text', 'more.privacy.text'] as const) {
        const blocks = textBlocks(messages[l][k]);
        expect(blocks.filter((b) => b.kind === 'h').length).toBeGreaterThanOrEqual(4);
      }
    }
  });
});
