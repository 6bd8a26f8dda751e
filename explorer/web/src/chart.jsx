// A uPlot chart in a Preact component: redrawn when its data changes, sized to its box.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/** 1200 → "1.2k", 3456789 → "3.5M": y labels that fit a phone-width chart. */
const compact = (v) => (Math.abs(v) >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : Math.abs(v) >= 1e4 ? `${+(v / 1e3).toFixed(1)}k` : `${v}`);

/** `x` and `ys` are arrays of numbers; `bars` draws columns instead of a line. */
export function Chart({ title, x, ys, labels, bars = false, time = false, testid }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(260, box.current.clientWidth);
    const series = [{}, ...labels.map((label, i) => ({
      label, stroke: ["#2b6cb0", "#c05621"][i % 2], fill: bars ? "rgba(43,108,176,0.35)" : undefined,
      paths: bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined, points: { show: !bars },
    }))];
    const opts = { width, height: 180, series, scales: { x: { time } }, legend: { show: false }, axes: [{}, { size: 50, values: (_, ticks) => ticks.map(compact) }] };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [x, ...ys], box.current);
    return () => { plot.current?.destroy(); plot.current = null; };
  }, [JSON.stringify([x, ys])]);
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
