/* global document */
/**
 * SVG charts of the board page, drawn with the DOM alone: scalar line charts (raw values faint, smoothed values
 * solid, a hover read-out) and histograms over steps (TensorBoard's "offset" view: one ridge per step, oldest
 * at the back).
 */
import { smooth } from "./smoothing.js";

const NS = "http://www.w3.org/2000/svg";
const W = 480;
const H = 270;

// TensorBoard's run palette.
const PALETTE = ["#ff7043", "#0077bb", "#cc3311", "#33bbee", "#ee3377", "#009988", "#bbbbbb"];

/** The color of the i-th run. */
export function runColor(i) {
  return PALETTE[i % PALETTE.length];
}

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
export function niceTicks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** A value for an axis or a read-out: 4 significant digits, exponent form when very large or small. */
export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

function formatStep(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Math.round(v));
}

function linear(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (x) => r0 + (x - d0) * k;
  f.invert = (y) => (k === 0 ? d0 : d0 + (y - r0) / k);
  return f;
}

/** "M x y L x y ..." through the finite points; a non-finite value breaks the line. */
function linePath(steps, values, x, y) {
  let d = "";
  let pen = false;
  for (let i = 0; i < steps.length; i++) {
    if (!Number.isFinite(values[i])) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(steps[i]).toFixed(2)} ${y(values[i]).toFixed(2)}`;
    pen = true;
  }
  return d;
}

function axes(svg, x, y, xTicks, yTicks, box, fmtX, fmtY) {
  const g = el("g", { class: "axes" }, svg);
  for (const t of yTicks) {
    const yy = y(t);
    el("line", { x1: box.left, x2: box.right, y1: yy, y2: yy, class: "gridline" }, g);
    el("text", { x: box.left - 6, y: yy, class: "tick tick-y" }, g).textContent = fmtY(t);
  }
  for (const t of xTicks) {
    const xx = x(t);
    el("line", { x1: xx, x2: xx, y1: box.top, y2: box.bottom, class: "gridline" }, g);
    el("text", { x: xx, y: box.bottom + 16, class: "tick tick-x" }, g).textContent = fmtX(t);
  }
  el("rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top, class: "frame" }, g);
}

/** Index of the point whose step is nearest to `step` (steps sorted ascending). */
function nearest(steps, step) {
  let lo = 0;
  let hi = steps.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] < step) lo = mid;
    else hi = mid;
  }
  return Math.abs(steps[hi] - step) < Math.abs(steps[lo] - step) ? hi : lo;
}

/**
 * Draws one scalar tag: for each series `{run, color, points: [{step, value}]}` the raw values (faint) and
 * their smoothing with `weight` (solid), on a shared step axis. `tooltip` (an element positioned over the
 * chart) shows the values nearest the pointer.
 */
export function drawScalarChart(svg, series, weight, tooltip) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const box = { left: 58, right: W - 14, top: 10, bottom: H - 26 };
  const prepared = series.map((s) => {
    const pts = s.points.slice().sort((a, b) => a.step - b.step);
    const steps = pts.map((p) => p.step);
    const values = pts.map((p) => p.value);
    return { ...s, steps, values, smoothed: smooth(values, weight) };
  });
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of prepared) {
    for (const st of s.steps) [x0, x1] = [Math.min(x0, st), Math.max(x1, st)];
    for (const v of s.values) if (Number.isFinite(v)) [y0, y1] = [Math.min(y0, v), Math.max(y1, v)];
  }
  if (!(x1 >= x0)) [x0, x1] = [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (!(y1 >= y0)) [y0, y1] = [0, 1];
  if (y1 === y0) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.1, y1 + (Math.abs(y1) || 1) * 0.1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const x = linear(x0, x1, box.left, box.right);
  const y = linear(y0, y1, box.bottom, box.top);
  axes(svg, x, y, niceTicks(x0, x1, 6), niceTicks(y0, y1, 5), box, formatStep, formatNumber);
  const lines = el("g", { class: "lines" }, svg);
  for (const s of prepared) {
    el("path", { d: linePath(s.steps, s.values, x, y), stroke: s.color, class: "series-raw", "data-run": s.run, "data-points": s.steps.length }, lines);
  }
  for (const s of prepared) {
    el("path", { d: linePath(s.steps, s.smoothed, x, y), stroke: s.color, class: "series-smoothed", "data-run": s.run, "data-points": s.steps.length }, lines);
  }
  const hover = el("g", { class: "hover", visibility: "hidden" }, svg);
  const guide = el("line", { y1: box.top, y2: box.bottom, class: "guide" }, hover);
  const dots = prepared.map((s) => el("circle", { r: 3.5, fill: s.color, class: "dot" }, hover));
  const area = el("rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top, class: "hover-area" }, svg);
  const hide = () => {
    hover.setAttribute("visibility", "hidden");
    if (tooltip) tooltip.hidden = true;
  };
  area.addEventListener("pointerleave", hide);
  area.addEventListener("pointermove", (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) * W) / r.width;
    const step = x.invert(px);
    const rows = [];
    let gx = null;
    prepared.forEach((s, i) => {
      if (!s.steps.length) {
        dots[i].setAttribute("visibility", "hidden");
        return;
      }
      const k = nearest(s.steps, step);
      const v = s.smoothed[k];
      dots[i].setAttribute("visibility", Number.isFinite(v) ? "visible" : "hidden");
      if (Number.isFinite(v)) {
        dots[i].setAttribute("cx", x(s.steps[k]));
        dots[i].setAttribute("cy", y(v));
      }
      gx ??= x(s.steps[k]);
      rows.push({ color: s.color, run: s.run, step: s.steps[k], value: s.values[k], smoothed: v });
    });
    if (gx === null) return hide();
    guide.setAttribute("x1", gx);
    guide.setAttribute("x2", gx);
    hover.setAttribute("visibility", "visible");
    if (tooltip) showTooltip(tooltip, rows, (px / W) * r.width, weight > 0);
  });
}

function showTooltip(tooltip, rows, left, smoothed) {
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const h of ["", "Run", ...(smoothed ? ["Smoothed"] : []), "Value", "Step"]) head.insertCell().textContent = h;
  for (const r of rows) {
    const tr = table.insertRow();
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.backgroundColor = r.color;
    tr.insertCell().appendChild(sw);
    tr.insertCell().textContent = r.run;
    if (smoothed) tr.insertCell().textContent = formatNumber(r.smoothed);
    tr.insertCell().textContent = formatNumber(r.value);
    tr.insertCell().textContent = formatStep(r.step);
  }
  tooltip.replaceChildren(table);
  tooltip.hidden = false;
  const parentW = tooltip.parentElement ? tooltip.parentElement.clientWidth : 0;
  tooltip.style.left = `${Math.max(0, Math.min(left + 12, parentW - tooltip.offsetWidth))}px`;
}

/** `#rrggbb` mixed with white: t = 0 keeps the color, t = 1 is white. */
function tint(hex, t) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * t);
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

/** At most `k` of `items`, evenly spaced, always including the last. */
function sample(items, k) {
  if (items.length <= k) return items;
  const out = [];
  for (let i = 0; i < k; i++) out.push(items[Math.round((i * (items.length - 1)) / (k - 1))]);
  return out;
}

/**
 * Draws histograms over steps: `binned` is the API's `{lo, hi, binCount, entries: [{step, counts}]}`; one
 * ridge per step (at most 40 drawn), the newest at the front in the run's color, older ones paler behind.
 */
export function drawHistogramChart(svg, binned, color) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const box = { left: 14, right: W - 60, top: 10, bottom: H - 26 };
  const entries = sample(binned.entries.slice().sort((a, b) => a.step - b.step), 40);
  const x = linear(binned.lo, binned.hi, box.left, box.right);
  axes(svg, x, () => 0, niceTicks(binned.lo, binned.hi, 6), [], box, formatNumber, formatNumber);
  let maxCount = 0;
  for (const e of entries) for (const c of e.counts) maxCount = Math.max(maxCount, c);
  const ridge = (box.bottom - box.top) * (entries.length > 1 ? 0.4 : 0.9);
  const gap = entries.length > 1 ? (box.bottom - box.top - ridge) / (entries.length - 1) : 0;
  const w = (binned.hi - binned.lo) / binned.binCount;
  const g = el("g", { class: "ridges" }, svg);
  const labelEvery = Math.max(1, Math.ceil(entries.length / 6));
  entries.forEach((e, i) => {
    const base = box.top + ridge + i * gap;
    const h = (c) => (maxCount > 0 ? (c / maxCount) * ridge : 0);
    let d = `M${x(binned.lo).toFixed(2)} ${base.toFixed(2)}`;
    e.counts.forEach((c, j) => {
      d += `L${x(binned.lo + (j + 0.5) * w).toFixed(2)} ${(base - h(c)).toFixed(2)}`;
    });
    d += `L${x(binned.hi).toFixed(2)} ${base.toFixed(2)}Z`;
    const t = entries.length > 1 ? 0.75 * (1 - i / (entries.length - 1)) : 0;
    const p = el("path", { d, fill: tint(color, t), class: "ridge", "data-step": e.step }, g);
    el("title", {}, p).textContent = `step ${e.step}`;
    if ((entries.length - 1 - i) % labelEvery === 0) {
      el("text", { x: box.right + 6, y: base, class: "tick tick-step" }, g).textContent = formatStep(e.step);
    }
  });
}
