import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { chartData, type TelemetryField } from './telemetry-series.js';

const COLORS = ['#0f6cbd', '#c4314b', '#0b6a37', '#8a5cd6', '#b35c00', '#00838f'];

/**
 * A live line chart of the picked fields (uPlot: canvas, built for streaming data; the chart is created once per
 * set of fields and fed new data with setData).
 */
export function TelemetryChart({ fields, width = 720, height = 260 }: { fields: readonly TelemetryField[]; width?: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const key = fields.map((field) => field.path).join('\n');
  const latest = useRef(fields);
  latest.current = fields;

  useEffect(() => {
    const element = host.current;
    if (!element || fields.length === 0) return undefined;
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: true } },
      series: [{}, ...fields.map((field, i) => ({ label: field.path, stroke: COLORS[i % COLORS.length] as string, width: 2, spanGaps: true }))],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
    };
    let cancelled = false;
    // Loaded on first use: uPlot reads matchMedia and canvas support when imported.
    void import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled) return;
        chart.current = new UPlot(options, chartData(latest.current) as uPlot.AlignedData, element);
      })
      .catch(() => {
        // No canvas (a test DOM): the latest values table still shows the numbers.
        chart.current = null;
      });
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
    // Rebuilt only when the picked fields change; data updates go through setData below.
  }, [key, width, height]);

  useEffect(() => {
    chart.current?.setData(chartData(fields) as uPlot.AlignedData);
  }, [fields]);

  return <div ref={host} className="telemetry-chart" data-testid="telemetry-chart" role="img" aria-label={`Chart of ${fields.map((field) => field.path).join(', ')}`} />;
}
