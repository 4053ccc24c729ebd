// A call of the history (I1, I4, G5): its record — customer, menu, times, wait, talk,
// hold, result, who ended it, the agents it rang and a transfer — every agent's note
// with its author and time, the caller's own note editable (PUT /api/v1/calls/{id}/note)
// and the others' read-only, and the recording. The recording route needs the bearer
// token, which an <audio> element cannot send: it is fetched into a Blob on request (one
// audited access) and played from an object URL, revoked when the screen goes.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import {
  canCallBack,
  dialFromCall,
  fetchRecording,
  getCall,
  mayWriteNote,
  NOTE_MAX,
  noteHasControlCharacters,
  noteLength,
  putNote,
  recordingFileName,
  transferredTo,
  type CallDetail as CallDetailData,
  type CallNote,
  type CallRecord,
} from '../api/history';
import { Link } from '../components/Link';
import { dateTime, duration, phone } from '../format';
import { errorText, useLoad } from '../hooks';
import { lang, t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import { me, placeCall, timezone } from '../session';
import { dialErrorText, historyReturn } from './History';
import './history.css';

function BackLink(props: { id: number }) {
  const href = historyReturn.href;
  return (
    <a
      href={href}
      class="cd-back"
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        // Opened from the list: going back restores it where it was.
        if (historyReturn.openedId === props.id && history.length > 1) {
          historyReturn.openedId = null;
          history.back();
        } else navigate(href);
      }}
    >
      <span aria-hidden="true">←</span> {t('history.title')}
    </a>
  );
}

function Row(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="cd-row">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function menuText(call: CallRecord): string {
  if (!call.menu) return t('common.none');
  return call.menu.name ? `${call.menu.digit}. ${call.menu.name}` : call.menu.digit;
}

function Record(props: { call: CallDetailData }) {
  const c = props.call;
  const tz = timezone.value;
  const l = lang.value;
  const when = (iso: string | null) => (iso ? dateTime(iso, tz, l) : t('common.none'));
  const moved = transferredTo(c);
  return (
    <section class="card" aria-labelledby="detail-record">
      <h2 id="detail-record" class="card-title">
        {t('detail.record')}
      </h2>
      <dl class="cd-list">
        <Row label={t('detail.direction')}>{t(`history.dir.${c.direction}` as MessageKey)}</Row>
        <Row label={t('detail.customer')}>{c.customer ? phone(c.customer) : t('common.none')}</Row>
        <Row label={t('detail.org_number')}>{c.org_number ? phone(c.org_number) : t('common.none')}</Row>
        <Row label={t('detail.menu')}>{menuText(c)}</Row>
        <Row label={t('detail.arrived')}>{when(c.arrived_at)}</Row>
        <Row label={t('detail.answered')}>{when(c.answered_at)}</Row>
        <Row label={t('detail.ended')}>{when(c.ended_at)}</Row>
        <Row label={t('detail.wait')}>{duration(c.wait_ms)}</Row>
        <Row label={t('detail.talk')}>{duration(c.talk_ms)}</Row>
        <Row label={t('detail.hold')}>{duration(c.hold_ms)}</Row>
        <Row label={t('detail.result')}>
          <span class={`hrow-result hres-${c.result}`}>{t(`history.result.${c.result}` as MessageKey)}</span>
        </Row>
        <Row label={t('detail.ended_by')}>{t(`detail.ended_by.${c.ended_by}` as MessageKey)}</Row>
        <Row label={t('detail.agent')}>{c.agent?.name ?? t('common.none')}</Row>
        {moved && <Row label={t('detail.transferred_to')}>{moved.name}</Row>}
        {c.from_call !== null && (
          <Row label={t('detail.from_call')}>
            <Link to={`/history/${c.from_call}`}>{t('detail.call_no', { id: c.from_call })}</Link>
          </Row>
        )}
        {c.callback !== null && <Row label={t('detail.callback')}>{t('detail.callback_yes')}</Row>}
      </dl>
      {c.offers.length > 0 && (
        <>
          <h3 class="cd-sub">{t('detail.offers')}</h3>
          <ol class="cd-offers">
            {c.offers.map((o, i) => (
              <li key={i}>
                <span class="cd-offer-agent">{o.agent?.name ?? t('detail.former_agent')}</span>
                <time dateTime={o.at} class="muted">
                  {dateTime(o.at, tz, l)}
                </time>
                <span class={`cd-offer-outcome cd-outcome-${o.outcome}`}>{t(`detail.outcome.${o.outcome}` as MessageKey)}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

// ---- the recording ---------------------------------------------------------------------

type Loading = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready'; url: string; name: string } | { kind: 'error'; detail: string };

function Recording(props: { call: CallRecord }) {
  const c = props.call;
  const [state, setState] = useState<Loading>({ kind: 'idle' });
  const [length, setLength] = useState<number | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const objectUrl = useRef<string | null>(null);
  const ctl = useRef<AbortController | null>(null);
  const playWhenReady = useRef(false);

  useEffect(
    () => () => {
      ctl.current?.abort();
      if (objectUrl.current) URL.revokeObjectURL(objectUrl.current);
      objectUrl.current = null;
    },
    [],
  );

  if (!c.recording_url) {
    return (
      <section class="card" aria-labelledby="detail-recording">
        <h2 id="detail-recording" class="card-title">
          {t('detail.recording')}
        </h2>
        <p class="muted">{t('detail.no_recording')}</p>
      </section>
    );
  }
  const url = c.recording_url;

  const load = async () => {
    setState({ kind: 'loading' });
    const ac = new AbortController();
    ctl.current = ac;
    try {
      const blob = await fetchRecording(url, ac.signal);
      if (ac.signal.aborted) return;
      if (objectUrl.current) URL.revokeObjectURL(objectUrl.current);
      objectUrl.current = URL.createObjectURL(blob);
      playWhenReady.current = true;
      setState({ kind: 'ready', url: objectUrl.current, name: recordingFileName(c.id, blob.type) });
    } catch (e) {
      if (!ac.signal.aborted) setState({ kind: 'error', detail: errorText(e) });
    }
  };

  return (
    <section class="card" aria-labelledby="detail-recording">
      <h2 id="detail-recording" class="card-title">
        {t('detail.recording')}
      </h2>
      <div class="cd-player">
        {state.kind === 'ready' ? (
          <>
            <audio
              ref={audio}
              class="cd-player-audio"
              controls
              preload="metadata"
              src={state.url}
              aria-label={t('detail.recording_of', { id: c.id })}
              onLoadedMetadata={(e) => {
                const d = (e.currentTarget as HTMLAudioElement).duration;
                setLength(Number.isFinite(d) ? d * 1000 : null);
                if (playWhenReady.current) {
                  playWhenReady.current = false;
                  void (e.currentTarget as HTMLAudioElement).play().catch(() => undefined);
                }
              }}
            />
            <p class="cd-player-meta">
              <span>
                {t('detail.length')}: <strong>{length !== null ? duration(length) : t('common.none')}</strong>
              </span>
              <a class="btn" href={state.url} download={state.name}>
                {t('detail.download')}
              </a>
            </p>
          </>
        ) : (
          <>
            <button type="button" class="btn btn-primary cd-player-load" disabled={state.kind === 'loading'} aria-busy={state.kind === 'loading'} onClick={load}>
              <span aria-hidden="true">▶</span> {state.kind === 'loading' ? t('detail.recording_loading') : t('detail.play')}
            </button>
            <p class="cd-player-meta muted">{t('detail.talk_length', { time: duration(c.talk_ms) })}</p>
          </>
        )}
        <p class="error" role="alert">
          {state.kind === 'error' ? t('detail.recording_failed', { detail: state.detail }) : ''}
        </p>
      </div>
    </section>
  );
}

// ---- notes -------------------------------------------------------------------------------

function NoteView(props: { note: CallNote }) {
  const n = props.note;
  const tz = timezone.value;
  const l = lang.value;
  const edited = n.updated_at !== n.created_at;
  return (
    <article class="cnote">
      <header class="cnote-head">
        <strong>{n.author?.name ?? t('detail.former_agent')}</strong>
        <time dateTime={n.updated_at} class="muted">
          {dateTime(n.updated_at, tz, l)}
          {edited ? ` · ${t('detail.note_edited')}` : ''}
        </time>
      </header>
      {n.category && <p class="cnote-category">{n.category}</p>}
      <p class="cnote-text">{n.text || <span class="muted">{t('detail.note_empty_text')}</span>}</p>
    </article>
  );
}

function NoteEditor(props: { callId: number; note: CallNote | null; onSaved: () => void; onCancel: (() => void) | null }) {
  const categories = me.value?.org.categories ?? [];
  const initialCategory = props.note && categories.includes(props.note.category) ? props.note.category : '';
  const [category, setCategory] = useState(initialCategory);
  const [text, setText] = useState(props.note?.text ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = noteLength(text);
  const over = count > NOTE_MAX;
  const control = noteHasControlCharacters(text);
  const needCategory = categories.length > 0 && category === '';
  const base = `note-${props.callId}`;

  const save = async (e: Event) => {
    e.preventDefault();
    if (over || control || needCategory) return;
    setBusy(true);
    setError(null);
    try {
      await putNote(props.callId, { category: categories.length ? category : null, text });
      props.onSaved();
    } catch (err) {
      setError(t('detail.note_failed', { detail: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="cnote-form" onSubmit={save} aria-labelledby={`${base}-title`}>
      <h3 id={`${base}-title`} class="cd-sub">
        {props.note ? t('detail.note_edit') : t('detail.note_write')}
      </h3>
      {categories.length > 0 && (
        <label class="field">
          <span>{t('detail.category')}</span>
          <select value={category} required onChange={(e) => setCategory((e.currentTarget as HTMLSelectElement).value)}>
            <option value="" disabled>
              {t('detail.category_choose')}
            </option>
            {categories.map((cat) => (
              <option key={cat} value={cat}>
                {cat}
              </option>
            ))}
          </select>
        </label>
      )}
      <label class="field">
        <span>{t('detail.note_text')}</span>
        <textarea
          value={text}
          rows={6}
          aria-describedby={`${base}-count`}
          aria-invalid={over || control}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <p id={`${base}-count`} class={over ? 'cnote-count over' : 'cnote-count'}>
        <span aria-hidden="true">
          {count} / {NOTE_MAX}
        </span>
        <span class="sr-only">{t('detail.note_count', { count, max: NOTE_MAX })}</span>
      </p>
      <p class="error" role="alert">
        {over ? t('detail.note_too_long', { max: NOTE_MAX }) : control ? t('detail.note_control') : (error ?? '')}
      </p>
      <div class="hform-actions">
        {props.onCancel && (
          <button type="button" class="btn" onClick={props.onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || over || control || needCategory}>
          {busy ? t('detail.note_saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

function Notes(props: { call: CallDetailData; onSaved: () => void }) {
  const c = props.call;
  const agent = me.value?.agent.id ?? '';
  const mine = c.notes.find((n) => n.editable) ?? null;
  const others = c.notes.filter((n) => !n.editable);
  const mayWrite = mine !== null || mayWriteNote(c, agent);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  return (
    <section class="card" aria-labelledby="detail-notes">
      <h2 id="detail-notes" class="card-title">
        {t('detail.notes')}
      </h2>
      {c.notes.length === 0 && !mayWrite && <p class="muted">{t('detail.no_notes')}</p>}
      {others.map((n, i) => (
        <NoteView key={`o${i}`} note={n} />
      ))}
      {mine && !editing && (
        <div class="cnote-mine">
          <NoteView note={mine} />
          <button
            type="button"
            class="btn"
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            {t('detail.note_edit')}
          </button>
        </div>
      )}
      {mayWrite && (editing || !mine) && (
        <NoteEditor
          key={mine?.updated_at ?? 'new'}
          callId={c.id}
          note={mine}
          onCancel={mine ? () => setEditing(false) : null}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            props.onSaved();
          }}
        />
      )}
      <p class="muted cnote-status" role="status">
        {saved ? t('detail.note_saved') : ''}
      </p>
    </section>
  );
}

function Earlier(props: { calls: CallRecord[] }) {
  const tz = timezone.value;
  const l = lang.value;
  if (props.calls.length === 0) return null;
  return (
    <section class="card" aria-labelledby="detail-earlier">
      <h2 id="detail-earlier" class="card-title">
        {t('detail.earlier')}
      </h2>
      <ul class="cd-earlier">
        {props.calls.map((e) => (
          <li key={e.id}>
            <Link to={`/history/${e.id}`}>{dateTime(e.arrived_at, tz, l)}</Link>{' '}
            <span class={`hrow-result hres-${e.result}`}>{t(`history.result.${e.result}` as MessageKey)}</span>
            {e.note && <span class="muted"> · {e.note.category || e.note.text.slice(0, 40)}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function CallDetail(props: { id: number }) {
  const id = props.id;
  const load = useLoad((signal) => getCall(id, signal), [id]);
  const c = load.data && load.data.id === id ? load.data : null;
  const [dialing, setDialing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const callBack = async () => {
    if (!c) return;
    setDialing(true);
    setNotice(null);
    try {
      if (!(await placeCall(() => dialFromCall(c)))) setNotice(t('history.dial.ended'));
    } catch (e) {
      setNotice(dialErrorText(e));
    } finally {
      setDialing(false);
    }
  };

  const title = c ? (c.direction === 'internal' ? t('history.internal') : phone(c.customer) || t('history.no_number')) : t('detail.title');
  return (
    <div class="cd">
      <div class="cd-head">
        <BackLink id={id} />
        <h1 class="htitle" aria-busy={!c && load.loading}>
          {title}
        </h1>
        {c && canCallBack(c) && (
          <button type="button" class="btn btn-ok" disabled={dialing} onClick={callBack} aria-label={t('history.call_back_to', { number: phone(c.customer) })}>
            {t('history.call_back')}
          </button>
        )}
      </div>
      <p class="error" role="alert">
        {notice ?? ''}
      </p>
      {load.error && !c && (
        <p class="error" role="alert">
          {t('error.generic', { detail: load.error })}{' '}
          <button type="button" class="btn btn-link" onClick={load.reload}>
            {t('error.retry')}
          </button>
        </p>
      )}
      {!c && !load.error && <div class="card cd-skeleton" aria-hidden="true" />}
      {c && (
        <div class="cd-grid">
          <Record call={c} />
          <div class="cd-side">
            <Recording key={`rec-${c.id}`} call={c} />
            <Notes key={`notes-${c.id}`} call={c} onSaved={load.reload} />
          </div>
          <Earlier calls={c.earlier_contacts} />
        </div>
      )}
    </div>
  );
}
