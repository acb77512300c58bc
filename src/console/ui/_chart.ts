/**
 * The equity chart (uPlot on a canvas): equity over time, and drawdown on a second axis. The
 * chart is created once per mount and fed new data in place; it follows its container's width
 * (ResizeObserver), so it fits a phone as well as a laptop.
 */

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "./_html.ts";
import type { EquityPoint } from "./_types.ts";

const HEIGHT_PX = 180;

function columns(points: EquityPoint[]): uPlot.AlignedData {
  // A single point draws nothing: repeat it so a flat line shows the current equity.
  const only = points.length === 1 ? points[0] : undefined;
  const pts: EquityPoint[] = only === undefined ? points : [only, [only[0] + 1000, only[1], only[2]]];
  return [pts.map((p) => p[0] / 1000), pts.map((p) => p[1]), pts.map((p) => p[2])];
}

export function EquityChart({ points }: { points: EquityPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT_PX,
      legend: { show: false },
      cursor: { y: false },
      scales: { x: { time: true }, dd: { auto: true } },
      axes: [
        { stroke: "#8a94a6", grid: { stroke: "#2a3140" } },
        { stroke: "#8a94a6", grid: { stroke: "#2a3140" }, size: 70 },
        { scale: "dd", side: 1, stroke: "#c77d7d", grid: { show: false }, size: 60 },
      ],
      series: [
        {},
        { label: "equity", stroke: "#4fb3ff", width: 2 },
        { label: "drawdown", scale: "dd", stroke: "#c77d7d", width: 1 },
      ],
    };
    plot.current = new uPlot(opts, columns([]), el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT_PX }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(columns(points));
  }, [points]);

  return html`<div class="chart" ref=${box} aria-label="equity over time"></div>`;
}
