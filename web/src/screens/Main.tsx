// The main screen (C1–C4, H1–H5): my state and the time in it with Ready / Break /
// after-call work; customers waiting per menu; today's answer rate; the hourly graph of
// yesterday, today or both; my results today. GET /api/v1/dashboard loads it; the
// `agent.state` and `queue.waiting` events keep it live; a call's end reloads the
// figures. On a desktop the dial pad sits beside it (E1).
import { useState } from 'preact/hooks';

import { request } from '../api/http';
import type { AgentStateName, Dashboard } from '../api/types';
import { Link } from '../components/Link';
import { HourlyChart } from '../components/HourlyChart';
import { duration, percent } from '../format';
import { useLoad, useNow, errorText } from '../hooks';
import { t, type MessageKey } from '../i18n';
import { live, me, setState } from '../session';
import { DialPad } from './DialPad';

type GraphView = 'yesterday' | 'today' | 'both';

const choices: { state: Extract<AgentStateName, 'ready' | 'break' | 'acw'>; label: MessageKey }[] = [
  { state: 'ready', label: 'main.set_ready' },
  { state: 'break', label: 'main.set_break' },
  { state: 'acw', label: 'main.set_acw' },
];

function StatePanel() {
  const now = useNow();
  const s = live.value.state;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const elapsed = s ? now - Date.parse(s.since) : null;
  const locked = s?.state === 'ringing' || s?.state === 'on_call';
  return (
    <section class="card state-card" aria-labelledby="state-title">
      <h2 id="state-title" class="card-title">
        {t('main.state_title')}
      </h2>
      <p class={`state-now state-${s?.state ?? 'offline'}`}>
        <span class="state-name">{s ? t(`state.${s.state}` as MessageKey) : '—'}</span>
        <span class="state-time" role="timer" aria-label={t('main.in_state_for', { time: duration(elapsed) })}>
          {duration(elapsed)}
        </span>
      </p>
      <div class="state-actions" role="group" aria-label={t('main.state_title')}>
        {choices.map((c) => (
          <button
            key={c.state}
            type="button"
            class={s?.state === c.state ? `btn btn-state btn-${c.state} active` : `btn btn-state btn-${c.state}`}
            aria-pressed={s?.state === c.state}
            disabled={busy || locked}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await setState(c.state);
              } catch (e) {
                setError(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            {t(c.label)}
          </button>
        ))}
      </div>
      <p class="error" role="alert">
        {error ?? ''}
      </p>
    </section>
  );
}

export function Main() {
  const changes = live.value.changes;
  const dash = useLoad((signal) => request<Dashboard>('/api/v1/dashboard', { signal }), [changes]);
  const [view, setView] = useState<GraphView>('today');
  const d = dash.data;
  // Live counts win over the loaded ones once an event has arrived.
  const waiting = live.value.waiting ?? d?.waiting ?? null;
  const m = me.value;
  return (
    <div class="main-grid">
      <h1 class="sr-only">{t('nav.main')}</h1>
      {m?.must_change_password && (
        <p class="notice notice-warn wide" role="status">
          {t('login.must_change')} <Link to="/more/password">{t('main.change_password')} →</Link>
        </p>
      )}
      <StatePanel />
      <section class="card" aria-labelledby="waiting-title">
        <h2 id="waiting-title" class="card-title">
          {t('main.waiting')}
        </h2>
        <p class="big-number" aria-live="polite">
          {waiting ? waiting.total : '—'}
        </p>
        <ul class="menu-counts">
          {(waiting?.menus ?? []).map((menu) => (
            <li key={menu.digit}>
              <span class="menu-digit">{menu.digit}</span>
              <span class="menu-name">{menu.name}</span>
              <span class="menu-waiting">{menu.waiting}</span>
            </li>
          ))}
          {waiting && waiting.menus.length === 0 && <li class="muted">{t('main.no_menus')}</li>}
        </ul>
      </section>
      <section class="card" aria-labelledby="rate-title">
        <h2 id="rate-title" class="card-title">
          {t('main.answer_rate')}
        </h2>
        <p class="big-number">{d ? percent(d.today.answer_rate) : '—'}</p>
        <p class="muted">{d ? t('main.answer_rate_of', { answered: d.today.answered, inflow: d.today.inflow }) : ''}</p>
      </section>
      <section class="card wide" aria-labelledby="graph-title">
        <div class="card-head">
          <h2 id="graph-title" class="card-title">
            {t('main.graph')}
          </h2>
          <div class="segmented" role="tablist" aria-label={t('main.graph')}>
            {(['yesterday', 'today', 'both'] as GraphView[]).map((v) => (
              <button key={v} type="button" role="tab" aria-selected={view === v} class={view === v ? 'seg active' : 'seg'} onClick={() => setView(v)}>
                {t(`main.graph.${v}` as MessageKey)}
              </button>
            ))}
          </div>
        </div>
        {d ? <HourlyChart points={d.hourly[view]} label={`${t('main.graph')}: ${t(`main.graph.${view}` as MessageKey)}`} /> : <div class="chart" />}
      </section>
      <section class="card wide" aria-labelledby="mine-title">
        <h2 id="mine-title" class="card-title">
          {t('main.mine')}
        </h2>
        <dl class="figures">
          <div><dt>{t('main.mine.answered')}</dt><dd>{d?.mine.answered ?? '—'}</dd></div>
          <div><dt>{t('main.mine.outbound')}</dt><dd>{d?.mine.outbound ?? '—'}</dd></div>
          <div><dt>{t('main.mine.talk')}</dt><dd>{d ? duration(d.mine.talk_ms) : '—'}</dd></div>
          <div><dt>{t('main.mine.avg_talk')}</dt><dd>{d ? duration(d.mine.avg_talk_ms) : '—'}</dd></div>
          <div><dt>{t('main.mine.missed')}</dt><dd>{d?.mine.missed ?? '—'}</dd></div>
          <div><dt>{t('main.mine.acw')}</dt><dd>{d ? duration(d.mine.acw_ms) : '—'}</dd></div>
          <div><dt>{t('main.mine.break')}</dt><dd>{d ? duration(d.mine.break_ms) : '—'}</dd></div>
        </dl>
        {dash.error && (
          <p class="error" role="alert">
            {t('error.generic', { detail: dash.error })}{' '}
            <button type="button" class="btn btn-link" onClick={dash.reload}>
              {t('error.retry')}
            </button>
          </p>
        )}
      </section>
      <Link to="/dial" class="btn btn-primary phone-only dial-link">
        {t('nav.dial')}
      </Link>
      <aside class="card desktop-only dial-side" aria-label={t('nav.dial')}>
        <DialPad embedded />
      </aside>
    </div>
  );
}
