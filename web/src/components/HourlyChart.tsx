// H4: inflow and answered per local hour (bars), average and maximum wait (lines, right
// axis), for yesterday, today or both together. uPlot draws on a canvas sized to its
// box; the box has a fixed height so live updates never shift the layout.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type { HourPoint } from '../api/types';
import { t } from '../i18n';

export interface Series {
  hours: number[];
  inflow: (number | null)[];
  answered: (number | null)[];
  avgWaitS: (number | null)[];
  maxWaitS: (number | null)[];
}

/** The chart's columns: one per hour of the day (0–23, a DST day's extra hour kept). */
export function toSeries(points: HourPoint[]): Series {
  return {
    hours: points.map((p) => p.hour),
    inflow: points.map((p) => p.inflow),
    answered: points.map((p) => p.answered),
    avgWaitS: points.map((p) => (p.avg_wait_ms === null ? null : p.avg_wait_ms / 1000)),
    maxWaitS: points.map((p) => (p.max_wait_ms === null ? null : p.max_wait_ms / 1000)),
  };
}

export function HourlyChart(props: { points: HourPoint[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const s = toSeries(props.points);
    const data: uPlot.AlignedData = [s.hours, s.inflow, s.answered, s.avgWaitS, s.maxWaitS];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    const bars = uPlot.paths.bars!({ size: [0.4, 24], align: 0 });
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 220,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, n: { auto: true, range: (_u, _min, max) => [0, Math.max(4, max)] }, s: { auto: true } },
      axes: [
        { scale: 'x', values: (_u, ticks) => ticks.map((v) => `${v}`), stroke: '#5b6573' },
        { scale: 'n', stroke: '#5b6573' },
        { scale: 's', side: 1, stroke: '#8a5a00', grid: { show: false } },
      ],
      series: [
        {},
        { label: t('main.graph.inflow'), scale: 'n', fill: 'rgba(31,78,121,0.35)', stroke: '#1f4e79', paths: bars, points: { show: false } },
        { label: t('main.graph.answered'), scale: 'n', fill: 'rgba(46,125,50,0.55)', stroke: '#2e7d32', paths: bars, points: { show: false } },
        { label: t('main.graph.avg_wait'), scale: 's', stroke: '#b26a00', width: 2 },
        { label: t('main.graph.max_wait'), scale: 's', stroke: '#c62828', width: 1, dash: [4, 4] },
      ],
    };
    plot.current = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt on a language switch (labels), updated in place on new data.
  }, [props.points, t('main.graph.inflow')]);

  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}
