import { describe, expect, it } from 'vitest';

import { clock, dateTime, duration, percent, phone } from '../src/format';
import { format, messages, pickLanguage } from '../src/i18n';

describe('format', () => {
  it('durations, ratios and "no value"', () => {
    expect(duration(0)).toBe('0:00');
    expect(duration(65_000)).toBe('1:05');
    expect(duration(3_725_000)).toBe('1:02:05');
    expect(duration(-5)).toBe('0:00');
    expect(duration(null)).toBe('—');
    expect(percent(0.83333)).toBe('83.3%');
    expect(percent(null)).toBe('—');
    expect(percent(0)).toBe('0.0%');
  });
  it('times in the org\u2019s zone, not the browser\u2019s', () => {
    // 15:30 UTC is 00:30 the next day in Seoul.
    expect(clock('2026-11-24T15:30:00Z', 'Asia/Seoul', 'en')).toBe('00:30');
    expect(dateTime('2026-11-24T15:30:00Z', 'Asia/Seoul', 'en')).toContain('25/11/2026');
    expect(clock('2026-11-24T15:30:00Z', 'UTC', 'ko')).toBe('15:30');
  });
  it('Korean numbers grouped for reading', () => {
    expect(phone('01012345678')).toBe('010-1234-5678');
    expect(phone('0215880000')).toBe('02-1588-0000');
    expect(phone('021234567')).toBe('02-123-4567');
    expect(phone('+14155550100')).toBe('+14155550100');
  });
});

describe('i18n', () => {
  it('every English message has a Korean one, and no Korean message is left empty', () => {
    const en = Object.keys(messages.en).sort();
    expect(Object.keys(messages.ko).sort()).toEqual(en);
    for (const k of en) expect(messages.ko[k as keyof typeof messages.ko].trim()).not.toBe('');
  });
  it('placeholders match between the languages', () => {
    for (const k of Object.keys(messages.en) as (keyof typeof messages.en)[]) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(messages.ko[k]), k).toEqual(names(messages.en[k]));
    }
  });
  it('picks the saved language, else the browser\u2019s first known one', () => {
    expect(pickLanguage('en', ['ko-KR'])).toBe('en');
    expect(pickLanguage(null, ['ko-KR', 'en'])).toBe('ko');
    expect(pickLanguage(null, ['fr', 'en-US'])).toBe('en');
    expect(pickLanguage(null, ['fr'])).toBe('en');
    expect(format('{a} of {b}', { a: 1, b: 2 })).toBe('1 of 2');
  });
});
