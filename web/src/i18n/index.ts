// Korean and English, chosen from the browser's languages and switchable (More → language).
// Every string the app shows is in a message file: one per area of the app
// (src/i18n/<area>.ts), each with `en` (the keys) and `ko` (typed to have every key).
// `{name}` in a message is replaced by params.name.
import { signal } from '@preact/signals';

import * as call from './call';
import * as common from './common';
import * as history from './history';
import * as more from './more';
import * as stats from './stats';

export type Lang = 'en' | 'ko';
export const languages: Lang[] = ['ko', 'en'];

const en = { ...common.en, ...call.en, ...history.en, ...stats.en, ...more.en };
export type MessageKey = keyof typeof en;
const ko: Record<MessageKey, string> = { ...common.ko, ...call.ko, ...history.ko, ...stats.ko, ...more.ko };
export const messages: Record<Lang, Record<MessageKey, string>> = { en, ko };

const STORAGE_KEY = 'sb.lang';

export function pickLanguage(saved: string | null, browser: readonly string[]): Lang {
  if (saved === 'en' || saved === 'ko') return saved;
  for (const l of browser) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ko') return 'ko';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function initial(): Lang {
  if (typeof navigator === 'undefined') return 'en';
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  return pickLanguage(saved, navigator.languages ?? [navigator.language]);
}

export const lang = signal<Lang>(initial());

export function setLanguage(l: Lang): void {
  lang.value = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    /* private mode: the choice lasts this visit */
  }
  document.documentElement.lang = l;
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The message in the current language (reading `lang` makes a component re-render on a switch). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(messages[lang.value][key], params);
}
