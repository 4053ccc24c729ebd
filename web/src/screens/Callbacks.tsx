// Callbacks (K1–K2): Pending — customers who asked to be called back, the longest
// waiting first — and Done — completed ones, newest first, with who completed them and
// when. Tapping one asks "Call 010-…?" and dials it (POST /api/v1/callbacks/{id}/dial,
// the agent's phone rings first); swiping it left (touch) or its Delete button
// (desktop, keyboard) asks again and deletes it, removed at once and put back if the
// server refuses. A new callback (`callback.created`) reloads the list.
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import {
  callbacksHref,
  callbackTabFromSearch,
  callbackTabs,
  deleteCallback,
  dialCallback,
  listCallbacks,
  PAGE_SIZE,
  type Callback,
  type CallbackStatus,
} from '../api/history';
import { closeSwipeRows, SwipeRow } from '../components/SwipeRow';
import { dateTime, phone } from '../format';
import { errorText } from '../hooks';
import { lang, t, type MessageKey } from '../i18n';
import { live, me, placeCall, timezone } from '../session';
import { dialErrorText, ListFooter, SkeletonRows, Tabs, usePagedList, useQueryTab, useSentinel } from './History';
import './history.css';

const tabName: Record<CallbackStatus, MessageKey> = { pending: 'callbacks.tab.pending', done: 'callbacks.tab.done' };

type Asking = { kind: 'dial' | 'delete'; callback: Callback };

/** A modal question (a native <dialog>: focus kept inside, Escape cancels). */
function Confirm(props: { message: string; confirm: string; danger?: boolean; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open && typeof d.showModal === 'function') d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="hconfirm"
      aria-labelledby="confirm-message"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <p id="confirm-message" class="hconfirm-message">
        {props.message}
      </p>
      <div class="hform-actions">
        <button type="button" class="btn" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" class={props.danger ? 'btn btn-danger' : 'btn btn-ok'} onClick={props.onConfirm} autoFocus>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}

function CallbackRow(props: { cb: Callback; onDial: (cb: Callback) => void; onDelete: (cb: Callback) => void }) {
  const cb = props.cb;
  const tz = timezone.value;
  const l = lang.value;
  const number = phone(cb.number);
  const menu = cb.menu ? (cb.menu.name ?? cb.menu.digit) : null;
  return (
    <SwipeRow
      id={`callback-${cb.id}`}
      class="hlist-item"
      actions={
        <button type="button" class="btn swipe-btn btn-danger" aria-label={t('callbacks.delete_number', { number })} onClick={() => props.onDelete(cb)}>
          {t('callbacks.delete')}
        </button>
      }
    >
      <div data-key={String(cb.id)} class="hlist-wrap">
        <button type="button" class="hlist-row cb-row" aria-label={t('callbacks.call_number', { number })} aria-describedby={`cb-${cb.id}-meta`} onClick={() => props.onDial(cb)}>
          <span class="hdir hdir-callback" aria-hidden="true">
            ↺
          </span>
          <span class="hrow-main">
            <span class="hrow-line">
              <span class="hrow-title">{number}</span>
              <time class="hrow-time" dateTime={cb.requested_at}>
                {dateTime(cb.requested_at, tz, l)}
              </time>
            </span>
            <span class="hrow-line hrow-sub" id={`cb-${cb.id}-meta`}>
              <span class="hrow-meta">
                {menu && <span class="hrow-menu">{menu}</span>}
                <span class="sr-only">{t('callbacks.requested_at', { time: dateTime(cb.requested_at, tz, l) })}</span>
                {cb.status === 'done' ? (
                  <span class="hrow-done">
                    {t('callbacks.done_by', {
                      name: cb.done_by?.name ?? t('detail.former_agent'),
                      time: cb.done_at ? dateTime(cb.done_at, tz, l) : t('common.none'),
                    })}
                  </span>
                ) : (
                  <span class="hrow-result hres-callback">{t('callbacks.pending')}</span>
                )}
              </span>
            </span>
          </span>
        </button>
      </div>
    </SwipeRow>
  );
}

export function Callbacks() {
  const [tab, chooseTab] = useQueryTab<CallbackStatus>(callbackTabFromSearch, callbacksHref);
  const key = `${me.value?.agent.org ?? ''}/${me.value?.agent.id ?? ''}|callbacks|${tab}`;
  const list = usePagedList<Callback>({
    key,
    fetchPage: (cursor, signal, limit) => listCallbacks(tab, cursor, signal, limit),
    itemKey: (cb) => cb.id,
    changes: live.value.changes,
    // Pending ones are oldest first: a new callback is at the end, so reload what is listed.
    refreshLimit: (listed) => Math.min(200, Math.max(PAGE_SIZE, listed)),
  });
  const v = list.view;
  const sentinel = useSentinel(list.loadMore, [key, v.loaded, v.loading, v.cursor, v.error]);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setHidden(new Set());
    setNotice(null);
  }, [key]);

  const dial = async (cb: Callback) => {
    setAsking(null);
    setBusy(true);
    setNotice(null);
    try {
      if (!(await placeCall(() => dialCallback(cb.id)))) setNotice(t('history.dial.ended'));
    } catch (e) {
      setNotice(dialErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (cb: Callback) => {
    setAsking(null);
    closeSwipeRows();
    setNotice(null);
    // Gone at once; back where it was if the server refuses.
    setHidden((h) => new Set(h).add(cb.id));
    // After the prompt has closed (it hands the focus back to the row, which is gone).
    setTimeout(() => heading.current?.focus(), 0);
    try {
      await deleteCallback(cb.id);
      list.mutate((items) => items.filter((x) => x.id !== cb.id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        // Someone deleted it already: it stays gone.
        list.mutate((items) => items.filter((x) => x.id !== cb.id));
        return;
      }
      setHidden((h) => {
        const next = new Set(h);
        next.delete(cb.id);
        return next;
      });
      setNotice(t('callbacks.delete_failed', { detail: errorText(e) }));
    }
  };

  const shown = hidden.size ? v.items.filter((cb) => !hidden.has(cb.id)) : v.items;
  const askedNumber = asking ? phone(asking.callback.number) : '';
  return (
    <section class="hlist-screen" aria-labelledby="callbacks-title">
      <div class="hlist-head">
        <h1 id="callbacks-title" class="htitle" ref={heading} tabIndex={-1}>
          {t('callbacks.title')}
        </h1>
        <Tabs tabs={callbackTabs} current={tab} label={t('callbacks.tabs')} panel="callbacks-panel" name={(x) => t(tabName[x])} choose={chooseTab} />
      </div>
      <p class="hlist-notice error" role="alert">
        {notice ?? ''}
      </p>
      <div id="callbacks-panel" role="tabpanel" aria-labelledby={`callbacks-panel-${tab}`} aria-busy={v.loading === 'first' || busy}>
        <ul class="hlist">
          {shown.map((cb) => (
            <CallbackRow key={cb.id} cb={cb} onDial={(x) => setAsking({ kind: 'dial', callback: x })} onDelete={(x) => setAsking({ kind: 'delete', callback: x })} />
          ))}
          {v.loading === 'first' && v.items.length === 0 && <SkeletonRows count={8} />}
          {v.loading === 'more' && <SkeletonRows count={3} />}
        </ul>
        <div ref={sentinel} class="hlist-sentinel" aria-hidden="true" />
        <ListFooter
          view={{ ...v, items: shown }}
          retry={list.retry}
          empty={t(`callbacks.empty.${tab}` as MessageKey)}
          end={t('callbacks.end')}
          busyLabel={t('common.loading')}
        />
      </div>
      {asking && (
        <Confirm
          message={asking.kind === 'dial' ? t('callbacks.confirm_call', { number: askedNumber }) : t('callbacks.confirm_delete', { number: askedNumber })}
          confirm={asking.kind === 'dial' ? t('callbacks.call') : t('callbacks.delete')}
          danger={asking.kind === 'delete'}
          onCancel={() => setAsking(null)}
          onConfirm={() => (asking.kind === 'dial' ? void dial(asking.callback) : void remove(asking.callback))}
        />
      )}
    </section>
  );
}
