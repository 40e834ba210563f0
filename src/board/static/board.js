/* global document, window, fetch, EventSource, URLSearchParams, localStorage */
/**
 * The board page: fetches the run list, draws the active tab from the JSON API, and redraws when the server's
 * event stream says the logdir changed. Every tag and run name reaches the DOM through textContent or an
 * attribute, never as HTML.
 */
import { drawHistogramChart, drawScalarChart, runColor } from "./charts.js";

const KINDS = [
  ["scalars", "Scalars"],
  ["images", "Images"],
  ["histograms", "Histograms"],
  ["text", "Text"],
];
const SEP = "\u0000";

function stored(key, fallback) {
  try {
    return localStorage.getItem(`torch-ts-board.${key}`) ?? fallback;
  } catch {
    return fallback;
  }
}
function store(key, value) {
  try {
    localStorage.setItem(`torch-ts-board.${key}`, String(value));
  } catch {
    // Storage may be disabled; the setting then lasts until the page is reloaded.
  }
}

const state = {
  tab: KINDS.some(([k]) => k === stored("tab", "")) ? stored("tab", "") : "scalars",
  smoothing: Math.min(0.999, Math.max(0, Number(stored("smoothing", "0.6")) || 0)),
  filter: "",
  logdir: "",
  generation: -1,
  runs: [],
  globalWarnings: [],
  hidden: new Set(),
  error: null,
};
/** `${kind}\0${run}\0${tag}` → { generation, data }: refetched only when the run's generation moves. */
const cache = new Map();
/** `${run}\0${tag}` → id of the image the user picked with the slider; absent: follow the newest. */
const picked = new Map();

const $ = (id) => document.getElementById(id);
const h = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

async function api(path, params) {
  const res = await fetch(`api/${path}${params ? `?${new URLSearchParams(params)}` : ""}`);
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.error || `${res.status} ${res.statusText}`);
  }
  return res.json();
}

async function getData(kind, run, tag) {
  const key = [kind, run.name, tag].join(SEP);
  const hit = cache.get(key);
  if (hit && hit.generation === run.generation) return hit.data;
  const data = await api(kind, { run: run.name, tag });
  cache.set(key, { generation: run.generation, data });
  return data;
}

const colorOf = (name) => runColor(Math.max(0, state.runs.findIndex((r) => r.name === name)));
const visibleRuns = () => state.runs.filter((r) => !state.hidden.has(r.name));

function tagMatcher() {
  const f = state.filter.trim();
  if (!f) return () => true;
  try {
    const re = new RegExp(f, "i");
    return (t) => re.test(t);
  } catch {
    const low = f.toLowerCase();
    return (t) => t.toLowerCase().includes(low);
  }
}

/** Keeps one card per key in `container`, in order: existing cards are reused (sliders keep their place). */
function syncCards(container, items, create) {
  const existing = new Map();
  for (const c of container.children) existing.set(c.dataset.key, c);
  let prev = null;
  const out = [];
  for (const item of items) {
    let card = existing.get(item.key);
    if (card) existing.delete(item.key);
    else {
      card = create(item);
      card.dataset.key = item.key;
    }
    const want = prev ? prev.nextSibling : container.firstChild;
    if (card !== want) container.insertBefore(card, want);
    prev = card;
    out.push([card, item]);
  }
  for (const c of existing.values()) c.remove();
  return out;
}

function cardTitle(tag, run) {
  const title = h("h3", "card-title");
  title.appendChild(h("span", "tag", tag));
  if (run !== undefined) {
    const r = h("span", "run");
    const sw = h("span", "swatch");
    sw.style.backgroundColor = colorOf(run);
    r.append(sw, document.createTextNode(run));
    title.appendChild(r);
  }
  title.title = run === undefined ? tag : `${tag} (${run})`;
  return title;
}

const time = (wallTime) => new Date(wallTime * 1000).toLocaleString();

function renderSidebar() {
  const list = $("run-list");
  list.replaceChildren();
  if (!state.runs.length) list.appendChild(h("p", "muted", "No runs yet."));
  for (const run of state.runs) {
    const label = h("label", "run-item");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !state.hidden.has(run.name);
    box.addEventListener("change", () => {
      if (box.checked) state.hidden.delete(run.name);
      else state.hidden.add(run.name);
      schedule(false);
    });
    const sw = h("span", "swatch");
    sw.style.backgroundColor = colorOf(run.name);
    label.append(box, sw, h("span", "run-name", run.name));
    if (run.warnings.length) {
      const warn = h("span", "run-warning", "\u26a0");
      warn.title = run.warnings.map((w) => `${w.file}: ${w.message}`).join("\n");
      label.appendChild(warn);
    }
    label.title = run.name;
    list.appendChild(label);
  }
  $("logdir").textContent = state.logdir;
  $("logdir").title = state.logdir;
}

function renderWarnings() {
  const box = $("warnings");
  const items = [];
  if (state.error) items.push(`Cannot reach the board server: ${state.error}`);
  for (const m of state.globalWarnings) items.push(m);
  for (const r of state.runs) for (const w of r.warnings) items.push(`run ${r.name} \u2014 ${w.file}: ${w.message}`);
  box.hidden = items.length === 0;
  const list = h("ul");
  for (const m of items) list.appendChild(h("li", "warning", m));
  box.replaceChildren(h("strong", "", "\u26a0 Some data could not be read"), list);
}

function tagsOf(kind) {
  const match = tagMatcher();
  const out = [];
  for (const run of visibleRuns()) for (const tag of run.tags[kind]) if (match(tag)) out.push({ run, tag });
  return out;
}

function renderTabs() {
  for (const [kind] of KINDS) {
    const count = new Set(tagsOf(kind).map((t) => t.tag)).size;
    const btn = document.querySelector(`.tab[data-kind="${kind}"]`);
    btn.querySelector(".count").textContent = String(count);
    btn.setAttribute("aria-selected", String(kind === state.tab));
    $(`panel-${kind}`).hidden = kind !== state.tab;
  }
  $("smoothing-section").hidden = state.tab !== "scalars";
}

function setEmpty(kind, message) {
  const e = $(`empty-${kind}`);
  e.hidden = !message;
  e.textContent = message || "";
}

async function renderScalars() {
  const grid = $("grid-scalars");
  const byTag = new Map();
  for (const { run, tag } of tagsOf("scalars")) {
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push(run);
  }
  const items = [...byTag.keys()].sort().map((tag) => ({ key: tag, tag, runs: byTag.get(tag) }));
  setEmpty("scalars", items.length ? "" : emptyText("scalar"));
  const cards = syncCards(grid, items, ({ tag }) => {
    const card = h("section", "card scalar-card");
    const wrap = h("div", "chart-wrap");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "chart scalar-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `scalar chart ${tag}`);
    const tip = h("div", "tooltip");
    tip.hidden = true;
    wrap.append(svg, tip);
    card.append(cardTitle(tag), wrap);
    return card;
  });
  await Promise.all(
    cards.map(async ([card, { tag, runs }]) => {
      const series = await Promise.all(
        runs.map(async (run) => {
          const data = await getData("scalars", run, tag);
          return { run: run.name, color: colorOf(run.name), points: data.points.map((p) => ({ step: p.step, value: Number(p.value) })) };
        }),
      );
      drawScalarChart(card.querySelector("svg"), series, state.smoothing, card.querySelector(".tooltip"));
    }),
  );
}

function showImage(card, entries, idx) {
  const e = entries[idx];
  const img = card.querySelector("img");
  const { run, tag } = card.boardItem;
  const src = `api/image?${new URLSearchParams({ run, tag, id: String(e.id) })}`;
  if (img.getAttribute("src") !== src) img.setAttribute("src", src);
  const frame = card.querySelector(".image-frame");
  const room = frame.clientWidth || 400;
  const scale = Math.max(1, Math.min(8, Math.floor(room / Math.max(1, e.width))));
  img.width = e.width * scale;
  img.height = e.height * scale;
  img.alt = `${tag} at step ${e.step}`;
  card.querySelector(".step-label").textContent = `step ${e.step} \u00b7 ${idx + 1}/${entries.length} \u00b7 ${e.width}\u00d7${e.height}`;
  card.querySelector(".step-label").title = time(e.wallTime);
}

async function renderImages() {
  const items = tagsOf("images").map(({ run, tag }) => ({ key: run.name + SEP + tag, run, tag }));
  setEmpty("images", items.length ? "" : emptyText("image"));
  const cards = syncCards($("grid-images"), items, ({ run, tag }) => {
    const card = h("section", "card image-card");
    card.boardItem = { run: run.name, tag, entries: [] };
    const frame = h("div", "image-frame");
    const img = h("img", "board-image");
    img.decoding = "async";
    frame.appendChild(img);
    const row = h("div", "slider-row");
    const slider = document.createElement("input");
    slider.type = "range";
    slider.className = "step-slider";
    slider.min = "0";
    slider.step = "1";
    slider.setAttribute("aria-label", `step of ${tag} (${run.name})`);
    slider.addEventListener("input", () => {
      const entries = card.boardItem.entries;
      const idx = Number(slider.value);
      if (!entries[idx]) return;
      if (idx === entries.length - 1) picked.delete(card.dataset.key);
      else picked.set(card.dataset.key, entries[idx].id);
      showImage(card, entries, idx);
    });
    row.append(slider, h("span", "step-label"));
    card.append(cardTitle(tag, run.name), frame, row);
    return card;
  });
  await Promise.all(
    cards.map(async ([card, { run, tag }]) => {
      const { entries } = await getData("images", run, tag);
      card.boardItem.entries = entries;
      const slider = card.querySelector(".step-slider");
      if (!entries.length) return;
      const want = picked.get(card.dataset.key);
      let idx = want === undefined ? -1 : entries.findIndex((e) => e.id === want);
      if (idx < 0) idx = entries.length - 1;
      slider.max = String(entries.length - 1);
      slider.value = String(idx);
      slider.disabled = entries.length < 2;
      showImage(card, entries, idx);
    }),
  );
}

async function renderHistograms() {
  const items = tagsOf("histograms").map(({ run, tag }) => ({ key: run.name + SEP + tag, run, tag }));
  setEmpty("histograms", items.length ? "" : emptyText("histogram"));
  const cards = syncCards($("grid-histograms"), items, ({ run, tag }) => {
    const card = h("section", "card histogram-card");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "chart histogram-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `histograms of ${tag} (${run.name})`);
    card.append(cardTitle(tag, run.name), svg, h("div", "caption"));
    return card;
  });
  await Promise.all(
    cards.map(async ([card, { run, tag }]) => {
      const data = await getData("histograms", run, tag);
      drawHistogramChart(card.querySelector("svg"), data, colorOf(run.name));
      const last = data.entries[data.entries.length - 1];
      card.querySelector(".caption").textContent = last
        ? `${data.entries.length} step${data.entries.length === 1 ? "" : "s"} \u00b7 last: step ${last.step}, ${last.num} values in [${last.min.toPrecision(4)}, ${last.max.toPrecision(4)}]`
        : "";
    }),
  );
}

async function renderText() {
  const items = tagsOf("text").map(({ run, tag }) => ({ key: run.name + SEP + tag, run, tag }));
  setEmpty("text", items.length ? "" : emptyText("text"));
  const cards = syncCards($("grid-text"), items, ({ run, tag }) => {
    const card = h("section", "card text-card");
    card.append(cardTitle(tag, run.name), h("div", "text-entries"));
    return card;
  });
  await Promise.all(
    cards.map(async ([card, { run, tag }]) => {
      const { entries } = await getData("text", run, tag);
      const list = card.querySelector(".text-entries");
      list.replaceChildren();
      const newest = entries.slice().reverse();
      for (const e of newest.slice(0, 20)) {
        const item = h("div", "text-entry");
        const label = h("div", "text-step", `step ${e.step}`);
        label.title = time(e.wallTime);
        item.append(label, h("pre", "text-body", e.text));
        list.appendChild(item);
      }
      if (newest.length > 20) list.appendChild(h("p", "muted", `${newest.length - 20} older entries not shown`));
    }),
  );
}

function emptyText(what) {
  if (!state.runs.length) return `No runs in ${state.logdir} yet; this page updates when event files appear.`;
  if (!visibleRuns().length) return "No run selected.";
  return state.filter.trim() ? `No ${what} tags match the filter.` : `No ${what} data in the selected runs.`;
}

const RENDER = { scalars: renderScalars, images: renderImages, histograms: renderHistograms, text: renderText };

async function update(fetchRuns) {
  if (fetchRuns) {
    const r = await api("runs");
    state.logdir = r.logdir;
    state.generation = r.generation;
    state.runs = r.runs;
    state.globalWarnings = r.warnings;
    state.error = null;
    const names = new Set(state.runs.map((run) => run.name));
    for (const key of cache.keys()) if (!names.has(key.split(SEP)[1])) cache.delete(key);
    renderSidebar();
  }
  renderWarnings();
  renderTabs();
  await RENDER[state.tab]();
  document.body.dataset.generation = String(state.generation);
}

let running = null;
let pending = null;
/** Runs one update at a time; requests made meanwhile merge into one more run afterwards. */
function schedule(fetchRuns) {
  if (running) {
    pending = { fetchRuns: fetchRuns || (pending !== null && pending.fetchRuns) };
    return;
  }
  running = update(fetchRuns)
    .catch((e) => {
      state.error = e.message;
      renderWarnings();
    })
    .finally(() => {
      running = null;
      if (pending) {
        const p = pending;
        pending = null;
        schedule(p.fetchRuns);
      }
    });
}

function setupControls() {
  const tabs = $("tabs");
  for (const [kind, label] of KINDS) {
    const btn = h("button", "tab");
    btn.type = "button";
    btn.dataset.kind = kind;
    btn.setAttribute("role", "tab");
    btn.append(document.createTextNode(label), h("span", "count", "0"));
    btn.addEventListener("click", () => {
      state.tab = kind;
      store("tab", kind);
      schedule(false);
    });
    tabs.appendChild(btn);
  }
  const slider = $("smoothing");
  const out = $("smoothing-value");
  slider.value = String(state.smoothing);
  out.textContent = state.smoothing.toFixed(3);
  slider.addEventListener("input", () => {
    state.smoothing = Number(slider.value);
    out.textContent = state.smoothing.toFixed(3);
    store("smoothing", state.smoothing);
    schedule(false);
  });
  $("tag-filter").addEventListener("input", (e) => {
    state.filter = e.target.value;
    schedule(false);
  });
  $("toggle-runs").addEventListener("click", () => {
    if (state.hidden.size) state.hidden.clear();
    else for (const r of state.runs) state.hidden.add(r.name);
    renderSidebar();
    schedule(false);
  });
}

function connect() {
  const live = $("live");
  const events = new EventSource("api/events");
  events.addEventListener("open", () => {
    live.className = "live on";
    live.textContent = "live";
    // After a reconnect the server may be a new one whose generation count restarted: reload everything.
    schedule(true);
  });
  events.addEventListener("error", () => {
    live.className = "live off";
    live.textContent = "reconnecting\u2026";
  });
  events.addEventListener("message", (ev) => {
    const { generation } = JSON.parse(ev.data);
    if (generation !== state.generation) schedule(true);
  });
}

window.addEventListener("DOMContentLoaded", () => {
  setupControls();
  schedule(true);
  connect();
});
