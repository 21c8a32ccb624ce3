// A line chart as inline SVG: a few series over the same time buckets, each scaled to its own
// maximum (rates and counts differ by orders of magnitude), with the latest values in its label.
import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const svg = (tag, attrs) => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

/** series: [{ name, color, values: (number|null)[] , format(v) }], all of the same length. */
export function lineChart(title, series, spanLabel) {
  const W = 600, H = 180, PAD = 18;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" });
  const latest = series.map((s) => {
    const v = [...s.values].reverse().find((x) => x !== null);
    return `${s.name} ${v === undefined ? "no data" : s.format(v)}`;
  });
  root.setAttribute("aria-label", `${title}, ${spanLabel}: latest ${latest.join(", ")}`);
  for (let i = 0; i <= 4; i++) {
    const y = PAD + ((H - 2 * PAD) * i) / 4;
    root.append(svg("line", { x1: 0, x2: W, y1: y, y2: y, stroke: "#e3e7ec", "stroke-width": 1 }));
  }
  for (const s of series) {
    const max = Math.max(1e-9, ...s.values.filter((v) => v !== null));
    const n = s.values.length;
    let d = "";
    s.values.forEach((v, i) => {
      if (v === null) return;
      const x = n > 1 ? (W * i) / (n - 1) : W;
      const y = H - PAD - ((H - 2 * PAD) * v) / max;
      const prev = i > 0 ? s.values[i - 1] : null;
      d += `${prev === null ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
    });
    root.append(svg("path", { d, fill: "none", stroke: s.color, "stroke-width": 2, "vector-effect": "non-scaling-stroke", class: "series" }));
  }
  return h("figure", { class: "chart", style: "margin:0" },
    root,
    h("figcaption", {},
      h("ul", { class: "legend" }, series.map((s, i) => h("li", {}, h("i", { style: `background:${s.color}` }), latest[i]))),
      h("small", { class: "hint" }, `${spanLabel}; each line scaled to its own peak`)));
}
