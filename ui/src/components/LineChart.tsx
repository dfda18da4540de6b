/** A line chart (uPlot) of one metric: one series per try, x = step. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export interface Series {
  label: string;
  points: Array<{ step: number; value: number }>;
}

export function LineChart({ title, series, width = 480, height = 220 }: { title: string; series: Series[]; width?: number; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const steps = [...new Set(series.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [
      steps,
      ...series.map((s) => {
        const byStep = new Map(s.points.map((p) => [p.step, p.value]));
        return steps.map((x) => byStep.get(x) ?? null);
      }),
    ];
    const plot = new uPlot(
      {
        title,
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'step', stroke: 'currentColor' }, { stroke: 'currentColor' }],
        series: [{ label: 'step' }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], points: { show: true }, spanGaps: true }))],
      },
      data,
      ref.current,
    );
    return () => plot.destroy();
  }, [title, series, width, height]);
  return <div className="chart" data-testid={`chart-${title}`} ref={ref} />;
}
