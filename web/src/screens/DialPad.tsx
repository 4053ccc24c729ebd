// E1–E3: the dial pad. A number field with a 3×4 keypad (0–9, *, #), backspace and
// Call (POST /api/v1/calls). The keyboard works too: digits, Enter to call, Backspace.
// International numbers are refused (E3): obvious ones before asking, the server's
// `international-call` problem with the same message. The agent's own phone rings
// first; while the call is placed the pad says "calling…" (the shell switches to the
// in-call screen when the call is answered). Standalone it is the /dial route (which
// takes ?to=…&from_call=… to call back, E4); the desktop main screen embeds it.
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import { dial, getMyCall, hangUpCall, keypad, looksInternational, type KeypadAction } from '../api/calls';
import { phone } from '../format';
import { errorText } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { live, me } from '../session';
import './call.css';

const KEYS: { key: string; sub: string; label?: MessageKey }[] = [
  { key: '1', sub: '' },
  { key: '2', sub: 'ABC' },
  { key: '3', sub: 'DEF' },
  { key: '4', sub: 'GHI' },
  { key: '5', sub: 'JKL' },
  { key: '6', sub: 'MNO' },
  { key: '7', sub: 'PQRS' },
  { key: '8', sub: 'TUV' },
  { key: '9', sub: 'WXYZ' },
  { key: '*', sub: '', label: 'call.dial.key_star' },
  { key: '0', sub: '+' },
  { key: '#', sub: '', label: 'call.dial.key_hash' },
];

const TYPED = /^[0-9*#+]$/;

function fromQuery(): { to: string; fromCall: number | null } {
  if (typeof location === 'undefined') return { to: '', fromCall: null };
  const q = new URLSearchParams(location.search);
  const n = Number(q.get('from_call'));
  return { to: keypad('', { type: 'set', value: q.get('to') ?? '' }), fromCall: Number.isInteger(n) && n > 0 ? n : null };
}

function isField(el: EventTarget | null): boolean {
  return el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function DialPad(props: { embedded?: boolean }) {
  const embedded = props.embedded === true;
  const initial = useRef(embedded ? { to: '', fromCall: null } : fromQuery());
  const [number, setNumber] = useState(initial.current.to);
  const [fromCall, setFromCall] = useState<number | null>(initial.current.fromCall);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [dialing, setDialing] = useState<{ id: number; to: string } | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const numberRef = useRef(number);
  numberRef.current = number;
  const countryCode = typeof me.value?.org.country_code === 'string' ? me.value.org.country_code : null;
  const uid = embedded ? 'dial-side' : 'dial';

  function act(a: KeypadAction) {
    setError(null);
    setNotice(null);
    const v = numberRef.current;
    const next = keypad(v, a);
    if (next === v) return;
    numberRef.current = next;
    setNumber(next);
    // Another number is not a call back of the history entry any more.
    setFromCall(null);
  }

  async function call() {
    if (busy || dialing) return;
    const to = numberRef.current.trim();
    setNotice(null);
    if (!to) {
      setError(t('call.dial.empty'));
      field.current?.focus();
      return;
    }
    if (looksInternational(to, countryCode)) {
      setError(t('call.dial.international'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await dial(to, fromCall);
      setDialing({ id: res.id, to });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'international-call') setError(t('call.dial.international'));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  const callRef = useRef(call);
  callRef.current = call;

  // Keys anywhere on the standalone page (not in another field); inside the card when
  // embedded. The number field handles its own typing.
  function onKey(e: KeyboardEvent) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isField(e.target)) return;
    if (TYPED.test(e.key)) {
      e.preventDefault();
      act({ type: 'key', key: e.key });
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      act({ type: 'backspace' });
    } else if (
      e.key === 'Enter' &&
      (!(e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement) ||
        (e.target instanceof HTMLElement && e.target.classList.contains('key')))
    ) {
      // Enter calls, also after a keypad key was clicked (Space still presses a key).
      e.preventDefault();
      void callRef.current();
    }
  }
  useEffect(() => {
    if (embedded) return undefined;
    const h = (e: KeyboardEvent) => onKey(e);
    document.addEventListener('keydown', h);
    // A keyboard (fine pointer) types straight away; a touch screen keeps its keypad.
    if (typeof matchMedia !== 'undefined' && matchMedia('(pointer: fine)').matches) field.current?.focus();
    return () => document.removeEventListener('keydown', h);
  }, [embedded]);

  // While our call is placed: an event about calls (its end, most likely) → is it
  // still on? The shell takes over when it is answered.
  const changes = live.value.changes;
  const state = live.value.state?.state;
  useEffect(() => {
    if (!dialing) return undefined;
    const ctl = new AbortController();
    getMyCall(ctl.signal)
      .then((c) => {
        if (c.id !== dialing.id) {
          setDialing(null);
          setNotice('call.dial.ended');
        }
      })
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) {
          setDialing(null);
          setNotice('call.dial.ended');
        }
      });
    return () => ctl.abort();
  }, [changes, state, dialing?.id]);

  async function cancel() {
    if (!dialing) return;
    try {
      await hangUpCall(dialing.id);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) setError(errorText(e));
    }
  }

  const pretty = phone(number);
  const Title = embedded ? 'h2' : 'h1';

  return (
    <section
      class={embedded ? 'dialpad dialpad-embedded' : 'dialpad dialpad-page'}
      aria-labelledby={`${uid}-title`}
      onKeyDown={embedded ? (e) => onKey(e) : undefined}
    >
      <Title id={`${uid}-title`} class={embedded ? 'card-title' : 'dial-title'}>
        {t('call.dial.title')}
      </Title>
      <form
        class="dial-form"
        onSubmit={(e) => {
          e.preventDefault();
          void call();
        }}
      >
        <div class="dial-display">
          <label class="sr-only" for={`${uid}-number`}>
            {t('call.dial.number')}
          </label>
          <input
            ref={field}
            id={`${uid}-number`}
            class="dial-input"
            type="tel"
            inputMode="tel"
            autoComplete="off"
            enterKeyHint="go"
            placeholder={t('call.dial.placeholder')}
            value={number}
            aria-describedby={`${uid}-error`}
            aria-invalid={error !== null}
            disabled={dialing !== null}
            onInput={(e) => {
              const el = e.currentTarget;
              const next = keypad('', { type: 'set', value: el.value });
              if (next !== el.value) el.value = next;
              act({ type: 'set', value: next });
            }}
          />
          <button
            type="button"
            class="dial-back"
            aria-label={t('call.dial.backspace')}
            disabled={number === '' || dialing !== null}
            onClick={() => act({ type: 'backspace' })}
            onContextMenu={(e) => {
              e.preventDefault();
              act({ type: 'clear' });
            }}
          >
            <span aria-hidden="true">⌫</span>
          </button>
        </div>
        <p class="dial-pretty" aria-hidden="true">
          {pretty !== number ? pretty : '\u00a0'}
        </p>
        <p id={`${uid}-error`} class="error dial-error" role="alert">
          {error ?? ''}
        </p>
        <div class="keypad" role="group" aria-label={t('call.dial.keypad')}>
          {KEYS.map((k) => (
            <button
              key={k.key}
              type="button"
              class="key"
              aria-label={k.label ? t(k.label) : undefined}
              disabled={dialing !== null}
              onClick={() => act({ type: 'key', key: k.key })}
            >
              {/* A digit names its key (the letters are decoration, hidden); * and # are
                  named in words. An aria-label of "2" would not hold the visible "ABC". */}
              <span class="key-main" aria-hidden={k.label ? true : undefined}>
                {k.key}
              </span>
              <span class="key-sub" aria-hidden="true">
                {k.sub || '\u00a0'}
              </span>
            </button>
          ))}
        </div>
        {dialing ? (
          <div class="dial-calling" role="status">
            <p class="dial-calling-text">
              <strong>{t('call.dial.calling', { number: phone(dialing.to) })}</strong>
              <span>{t('call.dial.calling_hint')}</span>
            </p>
            <button type="button" class="btn btn-danger btn-block" onClick={() => void cancel()}>
              {t('call.dial.cancel')}
            </button>
          </div>
        ) : (
          <button type="submit" class="btn btn-ok btn-block dial-call" disabled={busy}>
            <span aria-hidden="true">☎</span> {busy ? t('call.dial.placing') : t('call.dial.call')}
          </button>
        )}
        <p class="dial-notice muted" role="status">
          {notice ? t(notice) : fromCall ? t('call.dial.call_back') : ''}
        </p>
      </form>
    </section>
  );
}
