// G1–G4: after-call work. Shown while the agent is in `acw` after a call (the shell
// passes `live.endedCall`): the call's information with its date and time in the
// organization's time zone (GET /api/v1/calls/{id}), a category, the inquiry / action
// text with a live counter to 1024 characters counted as the server counts them
// (Unicode code points), and Ready / Break, which save the note with the new state in
// one request (G3, PUT /api/v1/me/state with `note`). An earlier note of mine on the
// call fills the form. A failed save keeps everything typed.
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import { getCall, limitEdit, NOTE_MAX, noteLength, since, type CallDetail } from '../api/calls';
import { dateTime, duration, phone } from '../format';
import { errorText, useLoad, useNow } from '../hooks';
import { lang, t } from '../i18n';
import { live, me, setState, timezone } from '../session';
import { directionLabel, EarlierContacts, menuLabel } from './InCall';
import './call.css';

const RETRY_MS = [400, 1000, 2000];

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(id);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}

/** The call, waiting a moment when it ended an instant ago and is not stored yet (404). */
async function loadEnded(id: number, signal: AbortSignal): Promise<CallDetail> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await getCall(id, signal);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404 || attempt >= RETRY_MS.length) throw e;
      await wait(RETRY_MS[attempt]!, signal);
    }
  }
}

export function AfterCall(props: { call: number }) {
  const now = useNow(1000);
  const org = me.value?.org;
  const categories = org?.categories ?? [];
  const tz = timezone.value;
  const l = lang.value;
  const loaded = useLoad((signal) => loadEnded(props.call, signal), [props.call]);
  const c = loaded.data;

  const [category, setCategory] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<'ready' | 'break' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [atLimit, setAtLimit] = useState(false);
  const touched = useRef(false);

  // G5: my earlier note on this call fills the form (once, never over what I typed).
  useEffect(() => {
    if (!c || touched.current) return;
    const mine = c.notes.find((n) => n.editable) ?? (c.note?.editable ? c.note : null);
    if (!mine) return;
    setText(mine.text);
    setCategory(categories.includes(mine.category) ? mine.category : '');
  }, [c]);

  const count = noteLength(text);
  useEffect(() => setAtLimit(count >= NOTE_MAX), [count >= NOTE_MAX]);

  function edit(el: HTMLTextAreaElement, composing: boolean) {
    touched.current = true;
    setError(null);
    // Mid-composition (Korean IME) the text is left alone; the end of it is checked.
    if (composing) {
      setText(el.value);
      return;
    }
    const next = limitEdit(text, el.value, NOTE_MAX);
    if (next.text !== el.value) {
      el.value = next.text;
      if (next.caret !== null) el.setSelectionRange(next.caret, next.caret);
    }
    setText(next.text);
  }

  async function leave(state: 'ready' | 'break') {
    if (busy) return;
    setError(null);
    const hasText = text.trim() !== '';
    if (categories.length > 0 && category === '' && hasText) {
      setError(t('call.acw.pick_category'));
      return;
    }
    setBusy(state);
    try {
      // Nothing written and no category: only the state changes (no empty note).
      if (categories.length > 0 && category === '' && !hasText) await setState(state);
      else await setState(state, { call: props.call, category, text: limitEdit('', text, NOTE_MAX).text });
      // The shell leaves this screen when the state is no longer acw.
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const acwFor = since(live.value.state?.state === 'acw' ? live.value.state.since : null, now);
  const who = c ? (c.direction === 'internal' ? t('call.dir.internal') : phone(c.customer) || t('call.unknown_number')) : '';

  return (
    <section class="call-screen acw" aria-labelledby="acw-title">
      <header class="acw-head">
        <h1 id="acw-title" class="acw-title">
          {t('call.acw.title')}
        </h1>
        <span class="call-timer call-timer-small" role="timer" aria-label={t('call.acw.elapsed', { time: duration(acwFor) })}>
          {duration(acwFor)}
        </span>
      </header>

      <section class="card acw-call" aria-labelledby="acw-call-title">
        <h2 id="acw-call-title" class="card-title">
          {t('call.acw.call_info')}
        </h2>
        {loaded.error && !c ? (
          <p class="error" role="alert">
            {t('error.generic', { detail: loaded.error })}{' '}
            <button type="button" class="btn btn-link" onClick={loaded.reload}>
              {t('error.retry')}
            </button>
          </p>
        ) : (
          <dl class="acw-facts">
            <div>
              <dt>{t('call.acw.customer')}</dt>
              <dd class="acw-number">{c ? who : '…'}</dd>
            </div>
            <div>
              <dt>{t('call.acw.menu')}</dt>
              <dd>{c ? menuLabel(c.menu) || t('call.no_menu') : '…'}</dd>
            </div>
            <div>
              <dt>{t('call.acw.direction')}</dt>
              <dd>{c ? directionLabel(c.direction) : '…'}</dd>
            </div>
            <div>
              <dt>{t('call.acw.when')}</dt>
              <dd>{c ? <time dateTime={c.arrived_at}>{dateTime(c.arrived_at, tz, l)}</time> : '…'}</dd>
            </div>
            <div>
              <dt>{t('call.acw.talk')}</dt>
              <dd>{c ? duration(c.talk_ms) : '…'}</dd>
            </div>
            <div>
              <dt>{t('call.acw.waited')}</dt>
              <dd>{c ? (c.direction === 'inbound' ? duration(c.wait_ms) : '—') : '…'}</dd>
            </div>
          </dl>
        )}
      </section>

      <form
        class="card acw-form"
        aria-labelledby="acw-note-title"
        onSubmit={(e) => {
          e.preventDefault();
          void leave('ready');
        }}
      >
        <h2 id="acw-note-title" class="card-title">
          {t('call.acw.note')}
        </h2>
        {categories.length > 0 && (
          <label class="field">
            <span>{t('call.acw.category')}</span>
            <select
              name="category"
              value={category}
              onChange={(e) => {
                touched.current = true;
                setError(null);
                setCategory(e.currentTarget.value);
              }}
            >
              <option value="">
                {t('call.acw.category_pick')}
              </option>
              {categories.map((cat) => (
                <option key={cat} value={cat}>
                  {cat}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field note-field">
          <span>{t('call.acw.text')}</span>
          <textarea
            name="text"
            rows={6}
            value={text}
            aria-describedby="note-count"
            onInput={(e) => edit(e.currentTarget, (e as InputEvent).isComposing === true)}
            onCompositionEnd={(e) => edit(e.currentTarget, false)}
          />
        </label>
        <p class={count >= NOTE_MAX ? 'note-count at-limit' : 'note-count'}>
          <span id="note-count" aria-live="off">
            <span class="sr-only">{t('call.acw.count_label')} </span>
            {t('call.acw.count', { count, max: NOTE_MAX })}
          </span>
          <span class="sr-only" role="status">
            {atLimit ? t('call.acw.limit_reached', { max: NOTE_MAX }) : ''}
          </span>
        </p>
        <p class="error" role="alert">
          {error ?? ''}
        </p>
        <p class="muted acw-save-hint">{t('call.acw.save_hint')}</p>
        <div class="acw-actions">
          <button type="button" class="btn btn-ok acw-btn" disabled={busy !== null} onClick={() => void leave('ready')}>
            {busy === 'ready' ? t('call.acw.saving') : t('call.acw.ready')}
          </button>
          <button type="button" class="btn btn-break acw-btn" disabled={busy !== null} onClick={() => void leave('break')}>
            {busy === 'break' ? t('call.acw.saving') : t('call.acw.break')}
          </button>
        </div>
      </form>

      {c && c.direction !== 'internal' && c.earlier_contacts.length > 0 && (
        <EarlierContacts items={c.earlier_contacts} titleId="acw-earlier" />
      )}
    </section>
  );
}
