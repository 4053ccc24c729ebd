// Statistics (J1–J5): the org's figures by menu, by agent or by category for today,
// yesterday, this week, this month or the last 30 days (GET /api/v1/stats), every
// figure as docs/statistics.md defines it. The view and the period live in the URL
// query (?by=…&period=…), written with replaceState: a reload keeps them, and Back
// leaves the screen (rather than stepping through every switch) and, coming back,
// finds them again. The figures reload when a call ends (live.changes) and after a
// resync; the CSV is fetched with the session's token and saved from a Blob.
//
// Phones: one <table> for every width, its first column sticky and the rest scrolling
// sideways in a focusable region. Rows stay comparable column by column (the point of
// a report), the header keeps its <th scope> semantics for screen readers, and nothing
// is laid out twice — cards per row would repeat every label and lose the comparison.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import {
  agentCells,
  agentTotals,
  categoryTotal,
  downloadStatsCsv,
  loadStats,
  menuCells,
  parseStatsQuery,
  periodDays,
  periods,
  statsLocation,
  views,
  type AgentRow,
  type CategoryRow,
  type MenuFigures,
  type MenuRow,
  type StatsQuery,
  type StatsReport,
} from '../api/stats';
import { errorText, useLoad } from '../hooks';
import { lang, t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import { live, me, timezone } from '../session';
import './stats.css';

function Switch<T extends string>(props: {
  label: string;
  options: readonly T[];
  value: T;
  text: (v: T) => string;
  onChange: (v: T) => void;
  class: string;
}) {
  return (
    <div class={props.class} role="group" aria-label={props.label}>
      {props.options.map((o) => (
        <button
          key={o}
          type="button"
          class={o === props.value ? 'seg active' : 'seg'}
          aria-pressed={o === props.value}
          onClick={() => props.onChange(o)}
        >
          {props.text(o)}
        </button>
      ))}
    </div>
  );
}

// ---- by menu ----

const menuCols: { key: MessageKey; cls?: string }[] = [
  { key: 'stats.col.inflow' },
  { key: 'stats.col.answered' },
  { key: 'stats.col.unconnected' },
  { key: 'stats.col.answer_rate' },
  { key: 'stats.col.sl' },
  { key: 'stats.col.sl_inflow' },
  { key: 'stats.col.avg_wait' },
  { key: 'stats.col.max_wait' },
];

function MenuRows(props: { id: string; head: ComponentChildren; figures: Partial<MenuFigures>; name: string; total?: boolean }) {
  const [open, setOpen] = useState(false);
  const c = menuCells(props.figures);
  const detailId = `reasons-${props.id}`;
  return (
    <>
      <tr class={props.total ? 'total-row' : undefined}>
        <th scope="row" class="sticky-col">
          {props.head}
        </th>
        <td>{c.inflow}</td>
        <td>{c.answered}</td>
        <td>
          <button
            type="button"
            class="expand"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${c.unconnected} — ${t(open ? 'stats.reasons.hide' : 'stats.reasons.show', { name: props.name })}`}
            onClick={() => setOpen(!open)}
          >
            <span>{c.unconnected}</span>
            <span class="expand-icon" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
          </button>
        </td>
        <td>{c.answer_rate}</td>
        <td>{c.service_level}</td>
        <td>{c.service_level_inflow}</td>
        <td>{c.avg_wait}</td>
        <td>{c.max_wait}</td>
      </tr>
      <tr id={detailId} class="reasons-row" hidden={!open}>
        <td colSpan={menuCols.length + 1}>
          <dl class="reasons">
            <div><dt>{t('stats.reason.abandoned')}</dt><dd>{c.abandoned}</dd></div>
            <div><dt>{t('stats.reason.callback')}</dt><dd>{c.callback}</dd></div>
            <div><dt>{t('stats.reason.no_agent')}</dt><dd>{c.no_agent}</dd></div>
            <div><dt>{t('stats.reason.other')}</dt><dd>{c.other}</dd></div>
            <div><dt>{t('stats.reason.avg_wait_answered')}</dt><dd>{c.avg_wait_answered}</dd></div>
            <div><dt>{t('stats.reason.max_wait_answered')}</dt><dd>{c.max_wait_answered}</dd></div>
          </dl>
        </td>
      </tr>
    </>
  );
}

function MenuName(props: { digit: string; name: string }) {
  return (
    <span class="menu-cell">
      <span class="menu-digit" aria-hidden="true">
        {props.digit}
      </span>
      <span>{props.name}</span>
    </span>
  );
}

function MenuTable(props: { rows: MenuRow[] | null; total: MenuFigures | null; slSeconds: number }) {
  return (
    <>
      <thead>
        <tr>
          <th scope="col" class="sticky-col">
            {t('stats.col.menu')}
          </th>
          {menuCols.map((col) => (
            <th key={col.key} scope="col">
              {t(col.key, { seconds: props.slSeconds })}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows === null ? (
          <SkeletonRows names={(me.value?.org.menus ?? []).map((m) => <MenuName key={m.digit} digit={m.digit} name={m.name} />)} cells={menuCols.length} />
        ) : props.rows.length === 0 ? (
          <EmptyRow span={menuCols.length + 1} text={t('stats.empty.menu')} />
        ) : (
          props.rows.map((r) => (
            <MenuRows
              key={r.key}
              id={`menu-${r.key}`}
              name={r.name}
              figures={r}
              head={<MenuName digit={r.key} name={r.name} />}
            />
          ))
        )}
      </tbody>
      {props.total ? (
        <tfoot>
          <MenuRows id="menu-total" name={t('stats.total')} figures={props.total} head={t('stats.total')} total />
        </tfoot>
      ) : (
        props.rows === null && (
          <tfoot class="total-skeleton">
            <SkeletonRows names={[t('stats.total')]} cells={menuCols.length} />
          </tfoot>
        )
      )}
    </>
  );
}

// ---- by agent ----

const agentCols: { key: MessageKey; cell: keyof ReturnType<typeof agentCells> }[] = [
  { key: 'stats.col.answered', cell: 'answered' },
  { key: 'stats.col.outbound', cell: 'outbound' },
  { key: 'stats.col.talk', cell: 'talk' },
  { key: 'stats.col.avg_talk', cell: 'avg_talk' },
  { key: 'stats.col.hold', cell: 'hold' },
  { key: 'stats.col.acw', cell: 'acw' },
  { key: 'stats.col.break', cell: 'break' },
  { key: 'stats.col.missed', cell: 'missed' },
];

function AgentTable(props: { rows: AgentRow[] | null }) {
  const self = me.value?.agent.id;
  const total = props.rows && props.rows.length > 0 ? agentCells(agentTotals(props.rows)) : null;
  return (
    <>
      <thead>
        <tr>
          <th scope="col" class="sticky-col">
            {t('stats.col.agent')}
          </th>
          {agentCols.map((col) => (
            <th key={col.key} scope="col">
              {t(col.key)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows === null ? (
          <SkeletonRows names={['', '', '']} cells={agentCols.length} />
        ) : props.rows.length === 0 ? (
          <EmptyRow span={agentCols.length + 1} text={t('stats.empty.agent')} />
        ) : (
          props.rows.map((r) => {
            const c = agentCells(r);
            return (
              <tr key={r.key} class={r.key === self ? 'self-row' : undefined}>
                <th scope="row" class="sticky-col">
                  <span class="row-name">{r.name}</span>
                  <span class="row-sub">{r.key}</span>
                </th>
                {agentCols.map((col) => (
                  <td key={col.cell}>{c[col.cell]}</td>
                ))}
              </tr>
            );
          })
        )}
      </tbody>
      {total && (
        <tfoot>
          <tr class="total-row">
            <th scope="row" class="sticky-col">
              {t('stats.total')}
            </th>
            {agentCols.map((col) => (
              // The average cannot be summed: its cell stays empty rather than "—".
              <td key={col.cell}>{col.cell === 'avg_talk' ? '' : total[col.cell]}</td>
            ))}
          </tr>
        </tfoot>
      )}
    </>
  );
}

// ---- by category ----

function CategoryTable(props: { rows: CategoryRow[] | null }) {
  return (
    <>
      <thead>
        <tr>
          <th scope="col" class="sticky-col">
            {t('stats.col.category')}
          </th>
          <th scope="col">{t('stats.col.notes')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows === null ? (
          <SkeletonRows names={[...(me.value?.org.categories ?? []), '']} cells={1} />
        ) : props.rows.length === 0 ? (
          <EmptyRow span={2} text={t('stats.empty.category')} />
        ) : (
          props.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" class="sticky-col">
                {r.key === '' ? <span class="muted">{t('stats.no_category')}</span> : r.name}
              </th>
              <td>{r.notes}</td>
            </tr>
          ))
        )}
      </tbody>
      {props.rows && props.rows.length > 0 && (
        <tfoot>
          <tr class="total-row">
            <th scope="row" class="sticky-col">
              {t('stats.total')}
            </th>
            <td>{categoryTotal(props.rows)}</td>
          </tr>
        </tfoot>
      )}
    </>
  );
}

/**
 * While the first report comes: rows of the size the figures will take (the org's
 * menus or categories by name, three for agents), so the page does not jump when they
 * arrive. The loading text is for screen readers; the region is aria-busy meanwhile.
 */
function SkeletonRows(props: { names: ComponentChildren[]; cells: number }) {
  const names = props.names.length > 0 ? props.names : [''];
  return (
    <>
      {names.map((name, i) => (
        <tr key={i} class="skeleton-row">
          <th scope="row" class="sticky-col">
            {name || <span class="skeleton skeleton-name" />}
            {i === 0 && <span class="sr-only">{t('common.loading')}</span>}
          </th>
          {Array.from({ length: props.cells }, (_, j) => (
            <td key={j}>
              <span class="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

function EmptyRow(props: { span: number; text: string }) {
  return (
    <tr class="placeholder-row">
      <td colSpan={props.span} class="muted">
        {props.text}
      </td>
    </tr>
  );
}

function Legend(props: { by: StatsQuery['by']; slSeconds: number }) {
  const s = { seconds: props.slSeconds };
  if (props.by === 'agent') return <p class="stats-legend muted">{t('stats.legend.agent')}</p>;
  if (props.by === 'category') return <p class="stats-legend muted">{t('stats.legend.category')}</p>;
  return (
    <ul class="stats-legend muted">
      <li>{t('stats.legend.answer_rate')}</li>
      <li>{t('stats.legend.sl', s)}</li>
      <li>{t('stats.legend.sl_inflow', s)}</li>
      <li>{t('stats.legend.waits')}</li>
    </ul>
  );
}

function readQuery(): StatsQuery {
  return parseStatsQuery(typeof location === 'undefined' ? '' : location.search);
}

export function Stats() {
  const [q, setQ] = useState<StatsQuery>(readQuery);
  const changes = live.value.changes;
  const report = useLoad((signal) => loadStats(q, signal), [q.by, q.period, changes]);
  const [csv, setCsv] = useState<{ busy: boolean; message: string; error: string }>({ busy: false, message: '', error: '' });

  // Back/forward between two entries of this screen (a link with another query).
  useEffect(() => {
    const onPop = () => setQ(readQuery());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  function choose(next: StatsQuery) {
    setQ(next);
    navigate(statsLocation(next), true);
  }

  async function exportCsv() {
    if (csv.busy) return;
    setCsv({ busy: true, message: '', error: '' });
    try {
      const file = await downloadStatsCsv(q);
      setCsv({ busy: false, message: t('stats.exported', { file }), error: '' });
    } catch (e) {
      setCsv({ busy: false, message: '', error: t('error.generic', { detail: errorText(e) }) });
    }
  }

  // The report on screen is the one asked for; another view's rows are never shown
  // under this view's headers. A new period keeps the old rows, dimmed, until it comes;
  // a refresh of the same report (a call ended) swaps the figures without dimming.
  const d: StatsReport | null = report.data && report.data.by === q.by ? report.data : null;
  const stale = report.loading && d !== null && d.period.name !== q.period;
  // Nothing to show and nothing coming: the error and its retry stand alone.
  const failed = report.error !== null && d === null && !report.loading;
  const slSeconds = d?.service_level_s ?? me.value?.org.service_level_s ?? 20;
  const tz = d?.period.timezone ?? timezone.value;
  const days = d ? periodDays(d.period.from, d.period.to, tz, lang.value) : null;
  const captionId = 'stats-caption';

  return (
    <section class="stats" aria-labelledby="stats-title">
      <div class="stats-head">
        <h1 id="stats-title" class="stats-title">
          {t('stats.title')}
        </h1>
        <button type="button" class="btn stats-export" onClick={exportCsv} disabled={csv.busy} aria-describedby="stats-export-status">
          <span aria-hidden="true">⤓</span> {csv.busy ? t('stats.exporting') : t('stats.export')}
        </button>
      </div>
      <div class="stats-controls">
        <Switch
          class="segmented stats-views"
          label={t('stats.view')}
          options={views}
          value={q.by}
          text={(v) => t(`stats.view.${v}` as MessageKey)}
          onChange={(by) => choose({ ...q, by })}
        />
        <Switch
          class="stats-periods"
          label={t('stats.period')}
          options={periods}
          value={q.period}
          text={(p) => t(`stats.period.${p}` as MessageKey)}
          onChange={(period) => choose({ ...q, period })}
        />
      </div>
      <p class="stats-range muted" aria-live="polite">
        {days ? (days.first === days.last ? t('stats.range_day', { day: days.first, timezone: tz }) : t('stats.range', { from: days.first, to: days.last, timezone: tz })) : '\u00a0'}
        <span class="stats-updating">{stale ? ` · ${t('stats.updating')}` : ''}</span>
      </p>
      <p id="stats-export-status" class={csv.error ? 'error' : 'muted stats-status'} role={csv.error ? 'alert' : 'status'}>
        {csv.error || csv.message}
      </p>
      {report.error && (
        <p class="error" role="alert">
          {t('error.generic', { detail: report.error })}{' '}
          <button type="button" class="btn btn-link" onClick={report.reload}>
            {t('error.retry')}
          </button>
        </p>
      )}
      <p class="stats-hint muted" aria-hidden="true">
        {t('stats.scroll_hint')}
      </p>
      {!failed && (
        <div class={stale ? 'table-wrap stale' : 'table-wrap'} role="region" aria-labelledby={captionId} tabIndex={0} aria-busy={report.loading}>
          <table class={`stats-table stats-${q.by}`}>
            <caption id={captionId} class="sr-only">
              {`${t('stats.title')}: ${t(`stats.view.${q.by}` as MessageKey)}, ${t(`stats.period.${q.period}` as MessageKey)}`}
            </caption>
            {q.by === 'menu' && (
              <MenuTable rows={d && d.by === 'menu' ? d.rows : null} total={d ? d.total : null} slSeconds={slSeconds} />
            )}
            {q.by === 'agent' && <AgentTable rows={d && d.by === 'agent' ? d.rows : null} />}
            {q.by === 'category' && <CategoryTable rows={d && d.by === 'category' ? d.rows : null} />}
          </table>
        </div>
      )}
      <Legend by={q.by} slSeconds={slSeconds} />
    </section>
  );
}
