// D2, D3, F3, F4: the call in progress (GET /api/v1/me/call). The customer's number,
// the menu, the direction, the talk time since the answer, the hold state, and the
// customer's earlier contacts with their notes (D2). Actions: hold / unhold (F3),
// transfer to a Ready colleague (F4: only one with a phone connected can be picked, the
// others are shown disabled with the reason; the transfer's ringing and returned
// states come from LiveCall.transfer_to), hang up with a confirmation (D3). Audio is
// on the agent's registered SIP phone in this part: speaker, device choice and mute
// belong to the WebRTC phone that comes later. Errors show the server's detail inline.
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import {
  canTransferTo,
  getMyCall,
  hangUpCall,
  holdCall,
  readyColleagues,
  since,
  transferCall,
  unholdCall,
  type CallDirection,
  type CallMenu,
  type CallRecord,
  type LiveCall,
  type OrgAgent,
} from '../api/calls';
import { dateTime, duration, phone } from '../format';
import { errorText, useLoad, useNow } from '../hooks';
import { lang, t, type MessageKey } from '../i18n';
import { live, me, timezone } from '../session';
import './call.css';

// ---- shared by the call screens -------------------------------------------------------

export function menuLabel(menu: CallMenu | { digit: string; name: string | null } | null | undefined): string {
  if (!menu) return '';
  return menu.name ? `${menu.digit}. ${menu.name}` : menu.digit;
}

/** "Bob Lee" for "bob" when the list knows it, else the id. */
export function colleagueName(id: string, agents: OrgAgent[] | null | undefined): string {
  return agents?.find((a) => a.id === id)?.name || id;
}

export function directionLabel(d: CallDirection): string {
  return t(`call.dir.${d}` as MessageKey);
}

/** D2: the customer's earlier contacts, newest first, with every note. */
export function EarlierContacts(props: { items: CallRecord[]; titleId: string }) {
  const tz = timezone.value;
  const l = lang.value;
  return (
    <section class="card call-contacts" aria-labelledby={props.titleId}>
      <h2 id={props.titleId} class="card-title">
        {t('call.earlier.title', { count: props.items.length })}
      </h2>
      {props.items.length === 0 ? (
        <p class="muted">{t('call.earlier.none')}</p>
      ) : (
        <ul class="contact-list">
          {props.items.map((c) => (
            <li key={c.id} class="contact">
              <div class="contact-head">
                <time dateTime={c.arrived_at}>{dateTime(c.arrived_at, tz, l)}</time>
                <span class={`result-tag result-${c.result}`}>{t(`call.result.${c.result}` as MessageKey)}</span>
              </div>
              <p class="contact-meta">
                {[directionLabel(c.direction), menuLabel(c.menu), c.agent?.name ?? '', c.talk_ms > 0 ? duration(c.talk_ms) : '']
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              {c.notes.length === 0 ? (
                <p class="contact-nonote muted">{t('call.earlier.no_note')}</p>
              ) : (
                c.notes.map((n, i) => (
                  <div key={i} class="contact-note">
                    <p class="contact-note-head">
                      {n.category && <span class="cat-tag">{n.category}</span>}
                      <span class="muted">{n.author?.name ?? t('call.earlier.former_agent')}</span>
                    </p>
                    {n.text ? <p class="note-text">{n.text}</p> : null}
                  </div>
                ))
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---- the screen -----------------------------------------------------------------------

type Notice = { key: MessageKey; params?: Record<string, string> } | null;

function TransferPanel(props: { call: number; onDone: (to: OrgAgent) => void; onClose: () => void }) {
  const list = useLoad((signal) => readyColleagues(signal), []);
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const agents = list.data ?? [];
  // A colleague picked before a refresh may have lost their phone since: not chosen then.
  const chosen = agents.find((a) => a.id === picked && canTransferTo(a)) ?? null;
  const reachable = agents.filter(canTransferTo).length;

  async function go() {
    if (!chosen || busy) return;
    setBusy(true);
    setError(null);
    try {
      await transferCall(props.call, chosen.id);
      props.onDone(chosen);
    } catch (e) {
      setError(errorText(e));
      // The colleague may have left Ready (or lost their phone) meanwhile: show who is Ready now.
      if (e instanceof ApiError && e.code === 'agent-not-ready') list.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      class="card transfer-panel"
      id="transfer-panel"
      role="group"
      aria-labelledby="transfer-title"
    >
      <div class="card-head">
        <h2 id="transfer-title" class="card-title">
          {t('call.transfer.title')}
        </h2>
        <button type="button" class="btn btn-small" onClick={list.reload} disabled={list.loading}>
          {t('call.transfer.refresh')}
        </button>
      </div>
      {list.error && (
        <p class="error" role="alert">
          {list.error}
        </p>
      )}
      {list.data && agents.length === 0 && <p class="notice notice-warn">{t('call.transfer.none_ready')}</p>}
      {list.data && agents.length > 0 && reachable === 0 && (
        <p class="notice notice-warn">{t('call.transfer.none_reachable')}</p>
      )}
      {!list.data && list.loading && <p class="muted">{t('common.loading')}</p>}
      {agents.length > 0 && (
        <fieldset class="transfer-list">
          <legend class="sr-only">{t('call.transfer.pick')}</legend>
          {agents.map((a) => {
            // Ready without a phone the contact center can ring: the transfer would be
            // refused, so it is shown (with why) but cannot be picked.
            const open = canTransferTo(a);
            const isPicked = open && picked === a.id;
            return (
              <label
                key={a.id}
                class={`transfer-option${isPicked ? ' picked' : ''}${open ? '' : ' unreachable'}`}
              >
                <input
                  type="radio"
                  name="transfer-to"
                  value={a.id}
                  checked={isPicked}
                  disabled={!open}
                  onChange={() => setPicked(a.id)}
                />
                <span class="transfer-name">{a.name}</span>
                <span class="transfer-id muted">
                  {a.id}
                  {a.menus.length > 0 ? ` · ${t('call.transfer.menus', { menus: a.menus.join(', ') })}` : ''}
                  {open ? '' : ` · ${t('call.transfer.no_phone')}`}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      <p class="error" role="alert">
        {error ?? ''}
      </p>
      <div class="call-row">
        <button type="button" class="btn btn-primary" disabled={!chosen || busy} onClick={go}>
          {busy ? t('call.transfer.busy') : chosen ? t('call.transfer.to', { name: chosen.name }) : t('call.transfer.do')}
        </button>
        <button type="button" class="btn" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}

export function InCall(props: { call: number }) {
  const s = live.value;
  const now = useNow(1000);
  const [poll, setPoll] = useState(0);
  const loaded = useLoad<LiveCall | null>(
    (signal) =>
      getMyCall(signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null; // ended: the shell moves on
        throw e;
      }),
    [props.call, s.held, s.changes, s.state?.state, s.state?.since, poll],
  );
  const c = loaded.data && loaded.data.id === props.call ? loaded.data : null;

  const [localHeld, setLocalHeld] = useState<boolean | null>(null);
  const [busy, setBusy] = useState<'hold' | 'hangup' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [transferring, setTransferring] = useState<OrgAgent | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const confirmBtn = useRef<HTMLButtonElement>(null);
  const hangupBtn = useRef<HTMLButtonElement>(null);
  const transferBtn = useRef<HTMLButtonElement>(null);
  const lastTransfer = useRef<string | null>(null);

  // The events say when the hold changed; until then, what the app asked for.
  useEffect(() => setLocalHeld(null), [s.held]);
  const held = localHeld ?? s.held;

  // A transfer rings: follow it until the colleague takes the call (the shell moves
  // on) or it comes back (transfer_to is null again). The events for it change no
  // live field, so ask every 2 s meanwhile, as while our own call is being dialled.
  const transferTo = c?.transfer_to ?? null;
  const ringingTransfer = transferTo !== null || transferring !== null;
  const dialing = c?.stage === 'dialing';
  useEffect(() => {
    if (!ringingTransfer && !dialing) return undefined;
    const id = setInterval(() => setPoll((n) => n + 1), 2000);
    return () => clearInterval(id);
  }, [ringingTransfer, dialing]);
  useEffect(() => {
    if (!c) return;
    const was = lastTransfer.current;
    const nowTo = c.transfer_to?.id ?? null;
    if (nowTo) {
      setTransferring(null);
      setNotice(null);
    } else if (was) {
      setTransferring(null);
      setNotice({ key: 'call.transfer.returned', params: { name: was } });
    }
    lastTransfer.current = nowTo ? (c.transfer_to?.name ?? nowTo) : null;
  }, [c?.transfer_to?.id, c]);

  useEffect(() => {
    if (confirming) confirmBtn.current?.focus();
  }, [confirming]);

  async function toggleHold() {
    if (busy) return;
    const want = !held;
    setBusy('hold');
    setError(null);
    try {
      await (want ? holdCall(props.call) : unholdCall(props.call));
      setLocalHeld(want);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  async function hangUp() {
    setBusy('hangup');
    setError(null);
    try {
      await hangUpCall(props.call);
      // call.ended follows; the shell leaves this screen then.
    } catch (e) {
      setError(errorText(e));
      setBusy(null);
      setConfirming(false);
    }
  }

  const internal = c?.direction === 'internal';
  const myId = me.value?.agent.id;
  const talk = since(c?.answered_at, now);
  const dialingFor = dialing ? since(c?.arrived_at, now) : null;
  const holdFor = held ? since(c?.held_since, now) : null;
  const who = c
    ? internal
      ? c.agent && c.agent.id !== myId
        ? c.agent.name
        : t('call.dir.internal')
      : phone(c.customer) || t('call.unknown_number')
    : '';
  const transferName = c?.transfer_to?.name ?? transferring?.name ?? null;

  // What changed, for everyone (the ticking timers are not read out).
  let status: string;
  if (!c) status = loaded.loading ? t('common.loading') : '';
  else if (dialing) status = t('call.in.status_dialing');
  else if (transferName) status = t('call.transfer.ringing', { name: transferName });
  else if (held) status = t('call.in.status_held');
  else status = t('call.in.status_connected');

  const canAct = !!c && c.stage === 'connected' && busy !== 'hangup';

  return (
    <section
      class="call-screen incall"
      aria-labelledby="incall-title"
      onKeyDown={(e) => {
        // Escape closes the confirmation or the transfer list.
        if (e.key !== 'Escape') return;
        if (confirming) {
          setConfirming(false);
          hangupBtn.current?.focus();
        } else if (transferOpen) {
          setTransferOpen(false);
          transferBtn.current?.focus();
        }
      }}
    >
      <header class="incall-head">
        <span class={`call-badge badge-${c?.direction ?? 'inbound'}`}>{c ? directionLabel(c.direction) : '\u00a0'}</span>
        <p class={`call-status ${held ? 'is-held' : ''} ${transferName ? 'is-transfer' : ''}`} role="status" aria-live="polite">
          {status}
        </p>
      </header>

      <h1 id="incall-title" class="call-number">
        <span class="sr-only">{t('call.in.title')}: </span>
        {who || '\u00a0'}
      </h1>
      <p class="call-menu">
        {c && !internal ? (menuLabel(c.menu) ? t('call.menu_is', { menu: menuLabel(c.menu) }) : t('call.no_menu')) : '\u00a0'}
      </p>

      <div class="call-timer-box">
        <span class="call-timer-label">{dialing ? t('call.in.calling_for') : t('call.in.talk')}</span>
        <span class="call-timer" aria-live="off">
          {duration(dialing ? dialingFor : talk ?? 0)}
        </span>
      </div>

      <dl class="call-facts">
        <div>
          <dt>{t('call.in.waited')}</dt>
          <dd>{c && c.direction === 'inbound' ? duration(c.wait_ms) : '—'}</dd>
        </div>
        <div>
          <dt>{t('call.in.hold')}</dt>
          <dd aria-live="off">{held ? duration(holdFor ?? 0) : c ? duration(c.hold_ms) : '—'}</dd>
        </div>
      </dl>

      {dialing && <p class="notice">{t('call.in.dialing_hint')}</p>}
      {notice && (
        <p class="notice notice-warn" role="status">
          {t(notice.key, notice.params)}
        </p>
      )}
      {transferName && <p class="notice">{t('call.transfer.ringing_hint', { name: transferName })}</p>}

      <div class="call-actions" role="group" aria-label={t('call.in.actions')}>
        <button
          type="button"
          class={held ? 'btn call-action active' : 'btn call-action'}
          aria-pressed={held}
          disabled={!canAct || busy === 'hold' || transferName !== null}
          onClick={toggleHold}
        >
          <span class="call-action-icon" aria-hidden="true">
            {held ? '▶' : '❚❚'}
          </span>
          {busy === 'hold' ? t('call.in.working') : held ? t('call.in.unhold') : t('call.in.hold_btn')}
        </button>
        <button
          ref={transferBtn}
          type="button"
          class={transferOpen ? 'btn call-action active' : 'btn call-action'}
          aria-expanded={transferOpen}
          aria-controls="transfer-panel"
          disabled={!canAct || internal || transferName !== null}
          onClick={() => {
            setTransferOpen(!transferOpen);
            setNotice(null);
          }}
        >
          <span class="call-action-icon" aria-hidden="true">
            ⇄
          </span>
          {t('call.in.transfer')}
        </button>
        <button
          ref={hangupBtn}
          type="button"
          class="btn btn-danger call-action call-hangup"
          aria-expanded={confirming}
          aria-controls="hangup-confirm"
          disabled={!c || busy === 'hangup'}
          onClick={() => {
            setConfirming(true);
            setTransferOpen(false);
          }}
        >
          <span class="call-action-icon" aria-hidden="true">
            ✕
          </span>
          {busy === 'hangup' ? t('call.in.hanging_up') : t('call.in.hangup')}
        </button>
      </div>

      {confirming && (
        <div class="card hangup-confirm" id="hangup-confirm" role="group" aria-labelledby="hangup-q">
          <p id="hangup-q" class="hangup-q">
            {t('call.in.hangup_confirm')}
          </p>
          <div class="call-row">
            <button ref={confirmBtn} type="button" class="btn btn-danger" disabled={busy === 'hangup'} onClick={hangUp}>
              {t('call.in.hangup_yes')}
            </button>
            <button
              type="button"
              class="btn"
              onClick={() => {
                setConfirming(false);
                hangupBtn.current?.focus();
              }}
            >
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}

      <p class="error" role="alert">
        {error ?? (loaded.error ? t('error.generic', { detail: loaded.error }) : '')}
      </p>

      {transferOpen && canAct && !internal && !transferName && (
        <TransferPanel
          call={props.call}
          onClose={() => {
            setTransferOpen(false);
            transferBtn.current?.focus();
          }}
          onDone={(to) => {
            setTransferOpen(false);
            setTransferring(to);
            lastTransfer.current = to.name;
            setPoll((n) => n + 1);
          }}
        />
      )}

      <p class="muted call-audio-hint">{t('call.in.audio_hint')}</p>

      {c && !internal && <EarlierContacts items={c.earlier_contacts} titleId="incall-earlier" />}
    </section>
  );
}
