// The history screen (I1–I3, E4): tabs My calls / Unconnected / All (kept in the URL,
// /history?tab=missed), newest first, a page at a time as the list scrolls (a sentinel
// under the list asks for the next cursor page); a live change reloads the first page
// and puts new calls on top without moving what the agent is looking at. A row opens
// the call's detail; swiping it left (touch) or its button (desktop) calls the customer
// back with the entry as `from_call` (E4). Internal calls cannot be called back.
//
// The paged-list machinery here (usePagedList, the list footer, dial errors) is shared
// with the callbacks screen.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import {
  appendPage,
  canCallBack,
  dialFromCall,
  historyHref,
  historyTabFromSearch,
  historyTabs,
  listCalls,
  refreshFirstPage,
  type CallRecord,
  type HistoryTab,
  type Page,
  type PagedList,
} from '../api/history';
import { closeSwipeRows, SwipeRow } from '../components/SwipeRow';
import { Link } from '../components/Link';
import { dateTime, phone } from '../format';
import { errorText } from '../hooks';
import { lang, t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import { live, me, placeCall, reloads, timezone } from '../session';
import './history.css';

// ---- shared: a cursor-paged list -------------------------------------------------------

export interface PagedView<T> {
  items: T[];
  /** The first page has arrived (from the server or the cache). */
  loaded: boolean;
  /** Null once the last page is in. */
  cursor: string | null;
  loading: 'first' | 'more' | null;
  error: string | null;
}

export interface PagedListOptions<T> {
  /** The list's identity (agent, tab…): a new key starts another list. */
  key: string;
  fetchPage: (cursor: string | null, signal: AbortSignal, limit?: number) => Promise<Page<T>>;
  itemKey: (item: T) => string | number;
  /** Bumped by live changes: the first page is loaded again. */
  changes: number;
  /** How many to ask for when the first page is reloaded, given how many are listed. */
  refreshLimit?: (listed: number) => number | undefined;
  /** Lists kept while the screen is away, so coming back shows them at once. */
  cache?: Map<string, PagedList<T>>;
}

export interface PagedListApi<T> {
  view: PagedView<T>;
  loadMore: () => void;
  refresh: () => void;
  retry: () => void;
  /** Change the listed items locally (optimistic updates); returns the items before. */
  mutate: (fn: (items: T[]) => T[]) => T[];
}

function viewFrom<T>(cached: PagedList<T> | undefined): PagedView<T> {
  return cached
    ? { items: cached.items, cursor: cached.cursor, loaded: true, loading: null, error: null }
    : { items: [], cursor: null, loaded: false, loading: 'first', error: null };
}

/**
 * A list loaded a cursor page at a time. Loads are done one after another (a reload of
 * the first page never races a next page), a list that was left (a new key, unmount)
 * ignores late answers, and pages merge without repeating an item.
 */
export function usePagedList<T>(opts: PagedListOptions<T>): PagedListApi<T> {
  const [, rerender] = useState(0);
  const state = useRef<{ key: string; view: PagedView<T> } | null>(null);
  const generation = useRef(0);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const controller = useRef<AbortController | null>(null);
  const optsRef = useRef(opts);
  optsRef.current = opts;

  // Another list (a new key) shows at once — from the cache when it has it — and what is
  // still on its way for the old one is dropped.
  if (state.current === null || state.current.key !== opts.key) {
    if (state.current !== null) {
      generation.current++;
      controller.current?.abort();
      chain.current = Promise.resolve();
    }
    state.current = { key: opts.key, view: viewFrom(opts.cache?.get(opts.key)) };
  }
  const now = () => state.current!.view;

  const update = (patch: Partial<PagedView<T>>) => {
    const s = state.current!;
    s.view = { ...s.view, ...patch };
    const o = optsRef.current;
    if (s.view.loaded && o.cache) o.cache.set(s.key, { items: s.view.items, cursor: s.view.cursor });
    rerender((n) => n + 1);
  };

  const run = (op: (signal: AbortSignal, gen: number) => Promise<void>) => {
    const gen = generation.current;
    chain.current = chain.current.then(async () => {
      if (gen !== generation.current) return;
      const ctl = new AbortController();
      controller.current = ctl;
      try {
        await op(ctl.signal, gen);
      } catch (e) {
        if (gen === generation.current && !ctl.signal.aborted) update({ loading: null, error: errorText(e) });
      }
    });
  };

  const refresh = () => {
    const o = optsRef.current;
    if (!now().loaded) update({ loading: 'first', error: null });
    run(async (signal, gen) => {
      const at = now();
      const fresh = await o.fetchPage(null, signal, o.refreshLimit?.(at.items.length));
      if (gen !== generation.current) return;
      const merged = at.loaded
        ? refreshFirstPage({ items: at.items, cursor: at.cursor }, fresh, o.itemKey)
        : appendPage({ items: [], cursor: null }, fresh, o.itemKey);
      update({ items: merged.items, cursor: merged.cursor, loaded: true, loading: null, error: null });
    });
  };

  const loadMore = () => {
    const v = now();
    if (!v.loaded || v.loading || v.error || v.cursor === null) return;
    update({ loading: 'more' });
    run(async (signal, gen) => {
      const at = now();
      if (at.cursor === null) {
        update({ loading: null });
        return;
      }
      const page = await optsRef.current.fetchPage(at.cursor, signal);
      if (gen !== generation.current) return;
      const merged = appendPage({ items: at.items, cursor: at.cursor }, page, optsRef.current.itemKey);
      update({ items: merged.items, cursor: merged.cursor, loading: null, error: null });
    });
  };

  // Each list loads its first page when it shows (again, when it came from the cache).
  useEffect(() => {
    refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opts.key]);
  useEffect(
    () => () => {
      generation.current++;
      controller.current?.abort();
    },
    [],
  );

  // Live changes and resyncs of the events socket: the first page again.
  const resync = reloads.value;
  const seen = useRef({ changes: opts.changes, resync });
  useEffect(() => {
    if (seen.current.changes === opts.changes && seen.current.resync === resync) return;
    seen.current = { changes: opts.changes, resync };
    refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opts.changes, resync]);

  return {
    view: now(),
    loadMore,
    refresh,
    retry: () => {
      if (!now().loaded) refresh();
      else {
        update({ error: null });
        loadMore();
      }
    },
    mutate: (fn) => {
      const before = now().items;
      update({ items: fn(before) });
      return before;
    },
  };
}

/** Calls `onVisible` while the returned element is (nearly) on screen, again after each load. */
export function useSentinel(onVisible: () => void, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  const cb = useRef(onVisible);
  cb.current = onVisible;
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    // A new observer after every load reports at once whether the sentinel is still
    // visible (a short page), so pages keep coming until the screen is full.
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) cb.current();
      },
      { rootMargin: '0px 0px 600px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

/** Placeholder rows of the real rows' height: nothing jumps when a page arrives. */
export function SkeletonRows(props: { count: number }) {
  return (
    <>
      {Array.from({ length: props.count }, (_, i) => (
        <li key={`skeleton-${i}`} class="hlist-row hskeleton" aria-hidden="true">
          <span class="hsk hsk-icon" />
          <span class="hsk-lines">
            <span class="hsk hsk-line" />
            <span class="hsk hsk-line hsk-short" />
          </span>
        </li>
      ))}
    </>
  );
}

/** Under a list: loading, an error with retry, the end of the list, or its emptiness. */
export function ListFooter<T>(props: { view: PagedView<T>; retry: () => void; empty: string; end: string; busyLabel: string }) {
  const v = props.view;
  let body: ComponentChildren = null;
  if (v.error) {
    body = (
      <p class="error" role="alert">
        {t('error.generic', { detail: v.error })}{' '}
        <button type="button" class="btn btn-link" onClick={props.retry}>
          {t('error.retry')}
        </button>
      </p>
    );
  } else if (v.loaded && !v.loading && v.cursor === null) {
    body = <p class="muted">{v.items.length === 0 ? props.empty : props.end}</p>;
  }
  return (
    <div class="hlist-footer" role="status" aria-live="polite" aria-busy={v.loading !== null}>
      {v.loading && <span class="sr-only">{props.busyLabel}</span>}
      {body}
    </div>
  );
}

/** A dial refused, in the agent's words. */
export function dialErrorText(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'international-call':
        return t('history.dial.international');
      case 'agent-busy':
        return t('history.dial.busy');
      case 'state-locked':
        return t('history.dial.locked');
      case 'invalid-number':
        return t('history.dial.invalid');
      case 'not-found':
        return t('history.dial.not_found');
      case 'unavailable':
        return t('history.dial.unavailable');
      default:
        break;
    }
  }
  return t('history.dial.failed', { detail: errorText(e) });
}

/** Keeps a tab in the URL query: reads it, follows back/forward, and pushes a choice. */
export function useQueryTab<T extends string>(fromSearch: (search: string) => T, href: (tab: T) => string): [T, (tab: T) => void] {
  const [tab, setTab] = useState<T>(() => fromSearch(typeof location === 'undefined' ? '' : location.search));
  useEffect(() => {
    const onPop = () => setTab(fromSearch(location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const choose = (next: T) => {
    if (next === tab) return;
    navigate(href(next));
    setTab(next);
  };
  return [tab, choose];
}

/** Tabs (WAI-ARIA tabs: arrows move between them). */
export function Tabs<T extends string>(props: {
  tabs: readonly T[];
  current: T;
  label: string;
  panel: string;
  name: (tab: T) => string;
  choose: (tab: T) => void;
}) {
  const onKey = (e: KeyboardEvent) => {
    const i = props.tabs.indexOf(props.current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const tab = props.tabs[next]!;
    props.choose(tab);
    const list = (e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]');
    list[next]?.focus();
  };
  return (
    <div class="hlist-tabs" role="tablist" aria-label={props.label} onKeyDown={onKey}>
      {props.tabs.map((tab) => (
        <button
          key={tab}
          type="button"
          role="tab"
          id={`${props.panel}-${tab}`}
          aria-selected={tab === props.current}
          aria-controls={props.panel}
          tabIndex={tab === props.current ? 0 : -1}
          class={tab === props.current ? 'hlist-tab active' : 'hlist-tab'}
          onClick={() => props.choose(tab)}
        >
          {props.name(tab)}
        </button>
      ))}
    </div>
  );
}

/**
 * Keeps the rows the agent looks at in place when rows are added above them, where the
 * browser does not do it itself (no CSS scroll anchoring: Safari).
 */
function useKeepScroll(list: { current: HTMLElement | null }, items: unknown[]) {
  const anchor = useRef<{ key: string; top: number } | null>(null);
  const native = typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && CSS.supports('overflow-anchor', 'auto');
  // Measured during render, before the DOM changes.
  anchor.current = null;
  if (!native && list.current && typeof window !== 'undefined' && window.scrollY > 0) {
    for (const el of Array.from(list.current.querySelectorAll<HTMLElement>('[data-key]'))) {
      const r = el.getBoundingClientRect();
      if (r.bottom > 0) {
        anchor.current = { key: el.dataset.key ?? '', top: r.top };
        break;
      }
    }
  }
  useLayoutEffect(() => {
    const a = anchor.current;
    anchor.current = null;
    if (!a || !list.current) return;
    const el = list.current.querySelector<HTMLElement>(`[data-key="${a.key}"]`);
    if (!el) return;
    const delta = el.getBoundingClientRect().top - a.top;
    if (delta !== 0) window.scrollBy(0, delta);
  }, [items]);
}

// ---- the history screen ----------------------------------------------------------------

const tabName: Record<HistoryTab, MessageKey> = {
  mine: 'history.tab.mine',
  unconnected: 'history.tab.unconnected',
  all: 'history.tab.all',
};

const directionIcon: Record<CallRecord['direction'], string> = { inbound: '↙', outbound: '↗', internal: '⇄' };

/** The lists, per agent and tab, while the agent is on another screen. */
const listCache = new Map<string, PagedList<CallRecord>>();
const scrollCache = new Map<string, number>();
/** The history URL last shown (the detail's way back), and the row opened from it. */
export const historyReturn = { href: '/history', openedId: null as number | null };

function CallRow(props: { call: CallRecord; busy: boolean; onCallBack: (call: CallRecord) => void }) {
  const c = props.call;
  const tz = timezone.value;
  const l = lang.value;
  const number = c.direction === 'internal' ? t('history.internal') : phone(c.customer) || t('history.no_number');
  const menu = c.menu ? (c.menu.name ?? c.menu.digit) : null;
  const hasNote = c.note !== null || c.notes.length > 0;
  const missed = c.result !== 'answered';
  const actions = canCallBack(c) ? (
    <button
      type="button"
      class="btn swipe-btn btn-ok"
      disabled={props.busy}
      aria-label={t('history.call_back_to', { number: phone(c.customer) })}
      onClick={() => props.onCallBack(c)}
    >
      {t('history.call_back')}
    </button>
  ) : undefined;
  return (
    <SwipeRow id={`call-${c.id}`} actions={actions} class="hlist-item">
      <div data-key={String(c.id)} class="hlist-wrap">
        <Link to={`/history/${c.id}`} class="hlist-row hist-row">
          <span class={`hdir hdir-${c.direction}${missed ? ' hdir-missed' : ''}`} aria-hidden="true">
            {directionIcon[c.direction]}
          </span>
          <span class="sr-only">{t(`history.dir.${c.direction}` as MessageKey)}, </span>
          <span class="hrow-main">
            <span class="hrow-line">
              <span class="hrow-title">{number}</span>{' '}
              <time class="hrow-time" dateTime={c.arrived_at}>
                {dateTime(c.arrived_at, tz, l)}
              </time>
            </span>
            <span class="hrow-line hrow-sub">
              <span class="hrow-meta">
                {menu && <span class="hrow-menu">{menu}</span>}{' '}
                <span class={`hrow-result hres-${c.result}`}>{t(`history.result.${c.result}` as MessageKey)}</span>{' '}
                {c.agent && <span class="hrow-agent">{c.agent.name}</span>}
              </span>
              {hasNote && (
                <span class="hrow-note" title={t('history.has_note')}>
                  <span aria-hidden="true">✎</span>
                  <span class="sr-only">, {t('history.has_note')}</span>
                </span>
              )}
            </span>
          </span>
        </Link>
      </div>
    </SwipeRow>
  );
}

export function History() {
  const [tab, chooseTab] = useQueryTab<HistoryTab>(historyTabFromSearch, historyHref);
  const agentKey = `${me.value?.agent.org ?? ''}/${me.value?.agent.id ?? ''}`;
  const key = `${agentKey}|${tab}`;
  const list = usePagedList<CallRecord>({
    key,
    fetchPage: (cursor, signal, limit) => listCalls(tab, cursor, signal, limit),
    itemKey: (c) => c.id,
    changes: live.value.changes,
    cache: listCache,
  });
  const v = list.view;
  const sentinel = useSentinel(list.loadMore, [key, v.loaded, v.loading, v.cursor, v.error]);
  const listEl = useRef<HTMLUListElement>(null);
  useKeepScroll(listEl, v.items);
  const [busy, setBusy] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  historyReturn.href = historyHref(tab);

  // Back on this tab: where the agent was; another tab: its top (or where it was left).
  useLayoutEffect(() => {
    window.scrollTo(0, scrollCache.get(key) ?? 0);
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        scrollCache.set(key, window.scrollY);
      });
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      window.removeEventListener('scroll', onScroll);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [key]);

  const callBack = async (call: CallRecord) => {
    setBusy(call.id);
    setNotice(null);
    try {
      const on = await placeCall(() => dialFromCall(call));
      closeSwipeRows();
      if (!on) setNotice(t('history.dial.ended'));
    } catch (e) {
      setNotice(dialErrorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="hlist-screen" aria-labelledby="history-title">
      <div class="hlist-head">
        <h1 id="history-title" class="htitle">
          {t('history.title')}
        </h1>
        <Tabs tabs={historyTabs} current={tab} label={t('history.tabs')} panel="history-panel" name={(x) => t(tabName[x])} choose={chooseTab} />
      </div>
      <p class="hlist-notice error" role="alert">
        {notice ?? ''}
      </p>
      <div id="history-panel" role="tabpanel" aria-labelledby={`history-panel-${tab}`} aria-busy={v.loading === 'first'}>
        <ul
          ref={listEl}
          class="hlist"
          onClickCapture={(e) => {
            const a = (e.target as Element | null)?.closest?.('a[href^="/history/"]');
            if (a) historyReturn.openedId = Number(a.getAttribute('href')!.split('/')[2]);
          }}
        >
          {v.items.map((c) => (
            <CallRow key={c.id} call={c} busy={busy === c.id} onCallBack={callBack} />
          ))}
          {v.loading === 'first' && v.items.length === 0 && <SkeletonRows count={8} />}
          {v.loading === 'more' && <SkeletonRows count={3} />}
        </ul>
        <div ref={sentinel} class="hlist-sentinel" aria-hidden="true" />
        <ListFooter
          view={v}
          retry={list.retry}
          empty={t(`history.empty.${tab}` as MessageKey)}
          end={t('history.end')}
          busyLabel={t('common.loading')}
        />
      </div>
    </section>
  );
}
