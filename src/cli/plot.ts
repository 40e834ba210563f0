/**
 * A tiny line-plot renderer with no dependencies: axes with "nice" ticks, a grid, any number of coloured
 * series and a legend, drawn to SVG text or to an RGB raster (then PNG). Enough for the seeds' figures of an
 * activation (blue) and its gradient (red); not a charting library.
 */
import { encodePng, type PngImage } from "../vision/png.js";

/** One line of the plot: `y[i]` against `x[i]`. */
export interface PlotSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** `#rrggbb`. */
  color: string;
}

export interface PlotSpec {
  series: PlotSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 640 × 480. */
  width?: number;
  height?: number;
  /** Axis ranges; default: the data's range, widened to the ticks. */
  xRange?: [number, number];
  yRange?: [number, number];
}

const MARGIN = { left: 72, right: 24, top: 44, bottom: 56 };
const GRID = "#e0e0e0";
const AXIS = "#000000";

/** Tick positions at 1, 2 or 5 × 10^k covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`niceTicks: range must be finite, got [${lo}, ${hi}]`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // Multiplying an integer count by the step avoids the drift of repeated addition (0.30000000000000004).
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** A tick label with as many decimals as the tick step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const s = v.toFixed(Math.min(decimals, 10));
  return s === "-0" || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

interface Layout {
  width: number;
  height: number;
  xTicks: number[];
  yTicks: number[];
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  px(x: number): number;
  py(y: number): number;
}

function extent(values: ArrayLike<number>[], what: string): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const vs of values) {
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) throw new RangeError(`plot: no finite ${what} values to draw`);
  return [lo, hi];
}

function layout(spec: PlotSpec): Layout {
  if (!Array.isArray(spec.series) || spec.series.length === 0) throw new RangeError("plot: at least one series is needed");
  for (const s of spec.series) {
    if (s.x.length !== s.y.length) throw new RangeError(`plot: series '${s.label}' has ${s.x.length} x values but ${s.y.length} y values`);
    if (!/^#[0-9a-fA-F]{6}$/.test(s.color)) throw new RangeError(`plot: series '${s.label}': color must be #rrggbb, got '${s.color}'`);
  }
  const width = spec.width ?? 640;
  const height = spec.height ?? 480;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 200 || height < 150) {
    throw new RangeError(`plot: width and height must be integers of at least 200 × 150, got ${width} × ${height}`);
  }
  const xr = spec.xRange ?? extent(spec.series.map((s) => s.x), "x");
  const yr = spec.yRange ?? extent(spec.series.map((s) => s.y), "y");
  const xTicks = niceTicks(xr[0], xr[1]);
  const yTicks = niceTicks(yr[0], yr[1]);
  const xMin = Math.min(xTicks[0], xr[0]);
  const xMax = Math.max(xTicks.at(-1)!, xr[1]);
  const yMin = Math.min(yTicks[0], yr[0]);
  const yMax = Math.max(yTicks.at(-1)!, yr[1]);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  return {
    width,
    height,
    xTicks,
    yTicks,
    xMin,
    xMax,
    yMin,
    yMax,
    px: (x) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW,
    py: (y) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH,
  };
}

/** The runs of consecutive finite points of a series, in pixels (a NaN or ±Infinity breaks the line). */
function pixelRuns(s: PlotSeries, L: Layout): Array<Array<[number, number]>> {
  const runs: Array<Array<[number, number]>> = [];
  let cur: Array<[number, number]> = [];
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i];
    const y = s.y[i];
    if (Number.isFinite(x) && Number.isFinite(y)) cur.push([L.px(x), L.py(y)]);
    else if (cur.length) {
      runs.push(cur);
      cur = [];
    }
  }
  if (cur.length) runs.push(cur);
  return runs;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const r2 = (v: number): string => String(Math.round(v * 100) / 100);

/**
 * The plot as a standalone SVG document.
 *
 * @example
 * const svg = renderPlotSvg({ title: "Sigmoid", series: [{ label: "output", x: xs, y: ys, color: "#1f77b4" }] });
 */
export function renderPlotSvg(spec: PlotSpec): string {
  const L = layout(spec);
  const { width: W, height: H } = L;
  const left = MARGIN.left;
  const right = W - MARGIN.right;
  const top = MARGIN.top;
  const bottom = H - MARGIN.bottom;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  const xStep = L.xTicks.length > 1 ? L.xTicks[1] - L.xTicks[0] : 1;
  const yStep = L.yTicks.length > 1 ? L.yTicks[1] - L.yTicks[0] : 1;
  for (const t of L.xTicks) {
    const x = r2(L.px(t));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${GRID}"/>`);
    out.push(`<text x="${x}" y="${bottom + 18}" text-anchor="middle">${esc(tickLabel(t, xStep))}</text>`);
  }
  for (const t of L.yTicks) {
    const y = r2(L.py(t));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="${GRID}"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(tickLabel(t, yStep))}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="${AXIS}"/>`);
  for (const s of spec.series) {
    for (const run of pixelRuns(s, L)) {
      const pts = run.map(([x, y]) => `${r2(x)},${r2(y)}`).join(" ");
      out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"/>`);
    }
  }
  spec.series.forEach((s, i) => {
    const y = top + 16 + i * 20;
    out.push(`<line x1="${left + 10}" y1="${y}" x2="${left + 34}" y2="${y}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${left + 40}" y="${y}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  if (spec.title) out.push(`<text x="${W / 2}" y="${top - 16}" text-anchor="middle" font-size="16">${esc(spec.title)}</text>`);
  if (spec.xLabel) out.push(`<text x="${(left + right) / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  if (spec.yLabel) {
    out.push(`<text x="16" y="${(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(top + bottom) / 2})">${esc(spec.yLabel)}</text>`);
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

// A 5×7 bitmap font: each glyph is its character then 7 rows, one base-32 digit per row (bit 4 = leftmost
// pixel). Enough characters for tick labels, titles and legends; others draw as a box.
const FONT_SHEET =
  " 00000000ehjlphe14c4444e2eh1248v3v2421he426aiv225vgu11he668guhhe7v1248888ehhehhe9ehhf12c.00000cc,0000c48-000v000+044v440=" +
  "00v0v00(2488842)8422248:0cc0cc0_000000v/01248g0'4480000%op248j3x00ha4aha00e1fhfbggmphhuc00egghed11djhhfe00ehvgef698s888g" +
  "00fhf1ehggmphhhi40c444ej20622ickggikokilc44444em00qllhhn00mphhho00ehhhep00uhuggq00fhf11r00mpgggs00ege1ut88s8896u00hhhjdv" +
  "00hhha4w00hhllay00hhf1ez00v248vAehhvhhhBuhhuhhuCehgggheDsihhhisEvgguggvFvggugggGehgnhhfHhhhvhhhIe44444eJ72222icKhikokihL" +
  "ggggggvMhrllhhhNhhpljhhOehhhhhePuhhugggQehhhlidRuhhukihSfgge11uTv444444UhhhhhheVhhhhha4WhhhlllaXhha4ahhYhha4444Zv1248gv";
const FONT: ReadonlyMap<string, number[]> = (() => {
  const m = new Map<string, number[]>();
  for (let i = 0; i < FONT_SHEET.length; i += 8) {
    m.set(FONT_SHEET[i], Array.from(FONT_SHEET.slice(i + 1, i + 8), (d) => parseInt(d, 32)));
  }
  return m;
})();
const MISSING_GLYPH = [31, 17, 17, 17, 17, 17, 31];

/** An RGB canvas with the few primitives the plot needs. */
class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, rgb: readonly number[]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = rgb[0];
    this.data[o + 1] = rgb[1];
    this.data[o + 2] = rgb[2];
  }

  rect(x0: number, y0: number, w: number, h: number, rgb: readonly number[]): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, rgb);
  }

  /** A line `thickness` pixels wide, drawn as squares stepped along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, rgb: readonly number[], thickness = 1): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const lo = -Math.floor((thickness - 1) / 2);
    for (let i = 0; i <= n; i++) {
      const x = Math.round(x0 + ((x1 - x0) * i) / n);
      const y = Math.round(y0 + ((y1 - y0) * i) / n);
      for (let dy = lo; dy < lo + thickness; dy++) for (let dx = lo; dx < lo + thickness; dx++) this.set(x + dx, y + dy, rgb);
    }
  }

  /** Text with its top-left corner at (x, y), glyphs scaled by `scale`; returns the width drawn. */
  text(str: string, x: number, y: number, rgb: readonly number[], scale = 1, vertical = false): number {
    const advance = 6 * scale;
    for (const ch of str) {
      const rows = FONT.get(ch) ?? MISSING_GLYPH;
      for (let r = 0; r < 7; r++) {
        for (let c = 0; c < 5; c++) {
          if (!(rows[r] & (16 >> c))) continue;
          // Vertical text reads bottom to top: glyph columns run up the page, rows to the right.
          const gx = vertical ? x + r * scale : x + c * scale;
          const gy = vertical ? y - c * scale : y + r * scale;
          this.rect(gx, vertical ? gy - scale + 1 : gy, scale, scale, rgb);
        }
      }
      if (vertical) y -= advance;
      else x += advance;
    }
    return str.length * advance;
  }
}

/** Pixel width of `str` drawn with `Canvas.text` at `scale`. */
const textWidth = (str: string, scale: number): number => [...str].length * 6 * scale - scale;

function hexRgb(c: string): number[] {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

/**
 * The plot as an 8-bit RGB image (row-major, channels interleaved): same layout as `renderPlotSvg`, with
 * a 5×7 bitmap font.
 */
export function renderPlotRaster(spec: PlotSpec): PngImage {
  const L = layout(spec);
  const { width: W, height: H } = L;
  const cv = new Canvas(W, H);
  const left = MARGIN.left;
  const right = W - MARGIN.right;
  const top = MARGIN.top;
  const bottom = H - MARGIN.bottom;
  const grid = hexRgb(GRID);
  const axis = hexRgb(AXIS);
  const xStep = L.xTicks.length > 1 ? L.xTicks[1] - L.xTicks[0] : 1;
  const yStep = L.yTicks.length > 1 ? L.yTicks[1] - L.yTicks[0] : 1;
  for (const t of L.xTicks) {
    const x = Math.round(L.px(t));
    cv.line(x, top, x, bottom, grid);
    const label = tickLabel(t, xStep);
    cv.text(label, x - Math.floor(textWidth(label, 1) / 2), bottom + 8, axis);
  }
  for (const t of L.yTicks) {
    const y = Math.round(L.py(t));
    cv.line(left, y, right, y, grid);
    const label = tickLabel(t, yStep);
    cv.text(label, left - 6 - textWidth(label, 1), y - 3, axis);
  }
  cv.line(left, top, right, top, axis);
  cv.line(left, bottom, right, bottom, axis);
  cv.line(left, top, left, bottom, axis);
  cv.line(right, top, right, bottom, axis);
  for (const s of spec.series) {
    const rgb = hexRgb(s.color);
    for (const run of pixelRuns(s, L)) {
      if (run.length === 1) cv.line(run[0][0], run[0][1], run[0][0], run[0][1], rgb, 2);
      for (let i = 1; i < run.length; i++) cv.line(run[i - 1][0], run[i - 1][1], run[i][0], run[i][1], rgb, 2);
    }
  }
  spec.series.forEach((s, i) => {
    const y = top + 16 + i * 20;
    cv.line(left + 10, y, left + 34, y, hexRgb(s.color), 3);
    cv.text(s.label, left + 40, y - 3, axis);
  });
  if (spec.title) cv.text(spec.title, Math.round(W / 2 - textWidth(spec.title, 2) / 2), top - 26, axis, 2);
  if (spec.xLabel) cv.text(spec.xLabel, Math.round((left + right) / 2 - textWidth(spec.xLabel, 1) / 2), H - 20, axis);
  if (spec.yLabel) cv.text(spec.yLabel, 12, Math.round((top + bottom) / 2 + textWidth(spec.yLabel, 1) / 2), axis, 1, true);
  return { width: W, height: H, channels: 3, data: cv.data };
}

/** The plot as PNG bytes (see `renderPlotRaster`). */
export function renderPlotPng(spec: PlotSpec): Uint8Array {
  return encodePng(renderPlotRaster(spec));
}
