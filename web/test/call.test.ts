// The call screens' pure rules (src/api/calls.ts): note length as the server counts it
// (Unicode code points, core::utf8Length), keeping an edit within 1024, the customer's
// waiting time on the incoming-call screen, the international pre-check and the keypad.
import { describe, expect, it } from 'vitest';

import {
  canTransferTo,
  cleanNote,
  DIAL_MAX,
  dialDigits,
  keypad,
  limitEdit,
  looksInternational,
  NOTE_MAX,
  noteLength,
  since,
  transferTargets,
  waitedMs,
  type OrgAgent,
} from '../src/api/calls';
import { en, ko } from '../src/i18n/call';

/** What the server counts: code points of the UTF-8 bytes (as core::utf8Length). */
function serverCount(s: string): number {
  const bytes = new TextEncoder().encode(s);
  let n = 0;
  for (const b of bytes) if ((b & 0xc0) !== 0x80) n++;
  return n;
}

describe('noteLength', () => {
  it('counts Unicode characters, not UTF-16 units or bytes', () => {
    expect(noteLength('')).toBe(0);
    expect(noteLength('abc')).toBe(3);
    expect(noteLength('환불 요청')).toBe(5); // 13 UTF-8 bytes
    expect(noteLength('😀')).toBe(1); // 2 UTF-16 units, 4 bytes
    expect(noteLength('a\nb\tc')).toBe(5);
    expect(noteLength('e\u0301')).toBe(2); // a combining mark is a character of its own
  });
  it('agrees with the server on mixed text', () => {
    for (const s of ['Refund approved.\n환불 승인됨 😀👍🏽', '한'.repeat(1024), '𝒜'.repeat(700), 'x'.repeat(1025)]) {
      expect(noteLength(s)).toBe(serverCount(s));
    }
  });
  it('counts a lone surrogate as one (it is sent as U+FFFD)', () => {
    expect(noteLength('a\ud800b')).toBe(3);
  });
});

describe('cleanNote', () => {
  it('keeps newlines and tabs, drops the controls the server refuses', () => {
    expect(cleanNote('a\nb\r\nc\td')).toBe('a\nb\r\nc\td');
    expect(cleanNote('a\u0000b\u0007c\u007fd\u0085e')).toBe('abcde');
  });
  it('cuts at the limit between characters, never inside a pair', () => {
    expect(cleanNote('😀😀😀', 2)).toBe('😀😀');
    const long = '가'.repeat(NOTE_MAX + 10);
    expect(noteLength(cleanNote(long))).toBe(NOTE_MAX);
  });
  it('replaces lone surrogates', () => {
    expect(cleanNote('a\udc00b')).toBe('a\ufffdb');
  });
});

describe('limitEdit', () => {
  it('takes an edit within the limit as it is', () => {
    expect(limitEdit('ab', 'abc', 5)).toEqual({ text: 'abc', caret: null });
  });
  it('refuses typing beyond the limit, wherever the cursor is', () => {
    const full = 'a'.repeat(5);
    expect(limitEdit(full, 'aaXaaa', 5).text).toBe(full);
    expect(limitEdit(full, 'aaXaaa', 5).caret).toBe(2);
    expect(limitEdit(full, full + 'Z', 5).text).toBe(full);
  });
  it('keeps what fits of a paste', () => {
    expect(limitEdit('abc', 'ab12345c', 5)).toEqual({ text: 'ab12c', caret: 4 });
  });
  it('never splits an emoji that does not fit', () => {
    expect(limitEdit('abcd', 'abcd😀', 4).text).toBe('abcd');
    expect(limitEdit('abc', 'abc😀😀', 4).text).toBe('abc😀');
  });
  it('lets a replacing paste through when the result fits', () => {
    expect(limitEdit('abcde', 'aXYZe', 5).text).toBe('aXYZe');
  });
  it('at 1024 Korean characters one more is refused', () => {
    const full = '가'.repeat(NOTE_MAX);
    const r = limitEdit(full, full + '나', NOTE_MAX);
    expect(r.text).toBe(full);
    expect(noteLength(r.text)).toBe(NOTE_MAX);
  });
  it('cuts a text that was already over (after an IME composition)', () => {
    const over = 'x'.repeat(NOTE_MAX + 3);
    expect(noteLength(limitEdit(over, over + 'y', NOTE_MAX).text)).toBe(NOTE_MAX);
  });
});

describe('waitedMs', () => {
  it('adds the time since the offer to what the server said', () => {
    expect(waitedMs({ wait_ms: 8200, offered_at: 1_000_000 }, 1_000_000)).toBe(8200);
    expect(waitedMs({ wait_ms: 8200, offered_at: 1_000_000 }, 1_003_500)).toBe(11_700);
  });
  it('never goes back when the clock does', () => {
    expect(waitedMs({ wait_ms: 8200, offered_at: 1_000_000 }, 999_000)).toBe(8200);
    expect(waitedMs({ wait_ms: -5, offered_at: 0 }, 0)).toBe(0);
  });
});

describe('since', () => {
  it('is the time since an instant, or null', () => {
    expect(since('2026-11-24T05:10:00.000Z', Date.parse('2026-11-24T05:11:05.000Z'))).toBe(65_000);
    expect(since(null, 0)).toBeNull();
    expect(since('nonsense', 0)).toBeNull();
    expect(since('2026-11-24T05:10:00.000Z', Date.parse('2026-11-24T05:09:00.000Z'))).toBe(0);
  });
});

describe('looksInternational (E3 pre-check; the server decides)', () => {
  it('refuses another country code', () => {
    expect(looksInternational('+1 212 555 0100', '82')).toBe(true);
    expect(looksInternational('+8613800000000', '82')).toBe(true);
    expect(looksInternational('＋44 20 7946 0000', '82')).toBe(true);
  });
  it("lets the organization's own country through (dialled in national form)", () => {
    expect(looksInternational('+82 10-1234-5678', '82')).toBe(false);
    expect(looksInternational('+82 (0)10 1234 5678', '82')).toBe(false);
  });
  it('refuses the international prefix 00', () => {
    expect(looksInternational('001 212 555 0100', '82')).toBe(true);
    expect(looksInternational('00-44-20', '82')).toBe(true);
  });
  it('lets national numbers and short codes through', () => {
    expect(looksInternational('010-1234-5678', '82')).toBe(false);
    expect(looksInternational('02 1234 5678', '82')).toBe(false);
    expect(looksInternational('1588-0000', '82')).toBe(false);
    expect(looksInternational('119', '82')).toBe(false);
    expect(looksInternational('bob', '82')).toBe(false);
    expect(looksInternational('', '82')).toBe(false);
    expect(looksInternational('+', '82')).toBe(false);
  });
  it('refuses any + number when the country is unknown', () => {
    expect(looksInternational('+82 10 1234 5678', null)).toBe(true);
  });
  it('leaves 00 to the server in +7 countries', () => {
    expect(looksInternational('0012125550100', '7')).toBe(false);
  });
});

describe('dialDigits', () => {
  it('drops separators and folds fullwidth digits as the server does', () => {
    expect(dialDigits(' 010-1234.5678 ')).toBe('01012345678');
    expect(dialDigits('(02) 1234/5678')).toBe('0212345678');
    expect(dialDigits('０１０\u00a0１２３４')).toBe('0101234');
  });
});

describe('keypad', () => {
  it('appends keys and deletes the last', () => {
    let v = '';
    for (const k of ['0', '1', '0', '*', '#']) v = keypad(v, { type: 'key', key: k });
    expect(v).toBe('010*#');
    v = keypad(v, { type: 'backspace' });
    expect(v).toBe('010*');
    expect(keypad('', { type: 'backspace' })).toBe('');
    expect(keypad('0101', { type: 'clear' })).toBe('');
  });
  it('ignores keys that are not on a keypad', () => {
    expect(keypad('01', { type: 'key', key: 'a' })).toBe('01');
    expect(keypad('01', { type: 'key', key: 'Enter' })).toBe('01');
    expect(keypad('01', { type: 'key', key: '+' })).toBe('01+');
  });
  it('stops at the request limit', () => {
    const full = '1'.repeat(DIAL_MAX);
    expect(keypad(full, { type: 'key', key: '2' })).toBe(full);
    expect(keypad('', { type: 'set', value: '9'.repeat(DIAL_MAX + 5) })).toHaveLength(DIAL_MAX);
  });
  it('takes typed or pasted text without control characters', () => {
    expect(keypad('', { type: 'set', value: '010-1234-5678\n' })).toBe('010-1234-5678');
  });
  it('deletes a whole character', () => {
    expect(keypad('01😀', { type: 'backspace' })).toBe('01');
  });
});

describe('transferTargets (F4)', () => {
  const agent = (id: string, state: OrgAgent['state']['state'], self = false, reachable = true): OrgAgent => ({
    id,
    name: id.toUpperCase(),
    menus: ['1'],
    state: { state, since: '2026-11-24T05:00:00.000Z' },
    self,
    reachable,
  });
  it('lists Ready colleagues only, never me', () => {
    const list = [agent('alice', 'ready', true), agent('bob', 'ready'), agent('carol', 'break'), agent('dan', 'on_call')];
    expect(transferTargets(list).map((a) => a.id)).toEqual(['bob']);
  });
  it('keeps Ready colleagues without a phone, after the ones a transfer can reach', () => {
    const list = [
      agent('amy', 'ready', false, false),
      agent('bob', 'ready'),
      agent('cho', 'ready', false, false),
      agent('dan', 'ready'),
      agent('eve', 'break', false, true),
    ];
    expect(transferTargets(list).map((a) => a.id)).toEqual(['bob', 'dan', 'amy', 'cho']);
    expect(transferTargets(list).map(canTransferTo)).toEqual([true, true, false, false]);
  });
  it('offers only what the server accepts: Ready and reachable, not me', () => {
    expect(canTransferTo(agent('bob', 'ready'))).toBe(true);
    expect(canTransferTo(agent('bob', 'ready', false, false))).toBe(false); // no phone connected
    expect(canTransferTo(agent('bob', 'break'))).toBe(false); // a phone, but not Ready
    expect(canTransferTo(agent('bob', 'ringing'))).toBe(false);
    expect(canTransferTo(agent('alice', 'ready', true))).toBe(false); // myself
    // A server without the field (older than it): the transfer decides.
    const { reachable: _omit, ...old } = agent('bob', 'ready');
    expect(canTransferTo(old as OrgAgent)).toBe(true);
  });
});

describe('call messages', () => {
  it('has every message in Korean, with the same placeholders', () => {
    const keys = Object.keys(en) as (keyof typeof en)[];
    expect(Object.keys(ko).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(names(ko[k]), k).toEqual(names(en[k]));
      expect(ko[k].trim(), k).not.toBe('');
    }
  });
});
