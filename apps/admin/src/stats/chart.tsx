/**
 * A uPlot chart, loaded on first use: uPlot (≈ 20 KB gzipped) is a chunk of
 * its own, so the admin app's first load does not carry it. The canvas is a
 * picture for sighted users; its numbers are in the table beside it, which
 * the chart's accessible name points to.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlotType from 'uplot';
import { t } from '../i18n.js';

export interface Series {
  label: string;
  values: number[];
  color: string;
}

export interface ChartProps {
  /** accessible name of the chart */
  label: string;
  /** x values: epoch seconds for time charts, plain numbers otherwise */
  x: number[];
  series: Series[];
  time: boolean;
  bars?: boolean;
  /** formats an x value for the axis and the legend (plain charts) */
  xLabel?: (v: number) => string;
}

let loading: Promise<typeof uPlotType> | undefined;
/** uPlot's module, fetched once. */
export function loadUPlot(): Promise<typeof uPlotType> {
  return (loading ??= import('uplot').then((m) => m.default));
}

export function Chart(p: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let plot: uPlotType | undefined;
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    loadUPlot()
      .then((UPlot) => {
        if (cancelled || !host.current) return;
        const width = () => Math.max(280, Math.min(host.current?.clientWidth ?? 600, 1100));
        const opts: uPlotType.Options = {
          width: width(),
          height: 220,
          scales: { x: { time: p.time } },
          legend: { show: true },
          axes: [p.xLabel ? { values: (_u, vals) => vals.map((v) => p.xLabel!(v)) } : {}, { values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) }],
          series: [
            p.xLabel ? { value: (_u, v) => (v === null ? '' : p.xLabel!(v)) } : {},
            ...p.series.map((s) => ({
              label: s.label,
              stroke: s.color,
              fill: p.bars ? `${s.color}cc` : undefined,
              width: 2,
              ...(p.bars ? { paths: UPlot.paths.bars!({ size: [0.7, 48] }), points: { show: false } } : {}),
            })),
          ],
        };
        plot = new UPlot(opts, [p.x, ...p.series.map((s) => s.values)], host.current);
        observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: 220 }));
        observer.observe(host.current);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [p.x, p.series, p.time, p.bars]);

  return (
    <div class="chart" role="img" aria-label={p.label}>
      {failed && <p class="muted">{t("The chart could not be loaded; the table has the same numbers.")}</p>}
      <div ref={host} class="chart-canvas" aria-hidden="true" />
    </div>
  );
}
