/**
 * What the board keeps of one run: per tag, the scalars, images, histograms and text read from its event
 * files, in the shapes the HTTP API sends. Values are sorted into kinds the way TensorBoard's data_compat does:
 * `simple_value` → scalar, `image` → image, `histo` → histogram (buckets as [left, right, count]), and
 * tensors by their plugin name ("scalars", "text", "histograms", "images").
 */
import type { Event, SummaryValue, TensorProto } from "../tensorboard/messages.js";
import { tensorProtoValues } from "../tensorboard/reader.js";
import { SessionStatus } from "../tensorboard/schema.js";
import { Series } from "./series.js";

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

export interface ImageEntry {
  /** Unique within the run for the life of the server: the key of the image bytes endpoint. */
  id: number;
  step: number;
  wallTime: number;
  width: number;
  height: number;
  bytes: Uint8Array;
}

/** A histogram as TensorBoard's frontend gets it: buckets `[left, right, count]`, empty end buckets dropped. */
export interface HistogramEntry {
  step: number;
  wallTime: number;
  min: number;
  max: number;
  num: number;
  buckets: [number, number, number][];
}

export interface TextEntry {
  step: number;
  wallTime: number;
  text: string;
}

export type Kind = "scalars" | "images" | "histograms" | "text";

/**
 * How many values per tag are kept (older ones are thinned evenly, the newest is always kept). TensorBoard's
 * defaults are 1000 scalars, 10 images, 500 histograms and 100 texts; images get more here so the step slider
 * has something to slide over.
 */
export const SAMPLES_PER_TAG: Record<Kind, number> = { scalars: 2000, images: 100, histograms: 500, text: 100 };

/**
 * `[left, right, count]` buckets of a `HistogramProto` (TensorBoard `data_compat._migrate_histogram_value`):
 * empty buckets at both ends are dropped, then `min` is the first left edge and `max` the last right edge.
 */
export function histogramBuckets(h: { min: number; max: number; bucketLimit: number[]; bucket: number[] }): [number, number, number][] {
  const n = h.bucket.length;
  let start = 0;
  while (start < n && !(h.bucket[start] > 0)) start++;
  let end = n - 1;
  while (end >= 0 && !(h.bucket[end] > 0)) end--;
  const out: [number, number, number][] = [];
  for (let i = start; i <= end; i++) {
    const left = i === start ? h.min : h.bucketLimit[i - 1];
    const right = i === end ? h.max : h.bucketLimit[i];
    out.push([left, right, h.bucket[i]]);
  }
  return out;
}

// Shared by all runs so a generation number is never reused, not even by a run rebuilt under the same name:
// the page caches a run's data by it.
let nextGeneration = 1;

export class RunData {
  readonly scalars = new Map<string, Series<ScalarPoint>>();
  readonly images = new Map<string, Series<ImageEntry>>();
  readonly histograms = new Map<string, Series<HistogramEntry>>();
  readonly text = new Map<string, Series<TextEntry>>();
  /** Changes (to a never-used number) on every change; the page refetches a run's data when it moves. */
  generation = nextGeneration++;
  // Plugin metadata may come only with a tag's first value (TensorBoard remembers it per tag).
  private pluginOf = new Map<string, string>();
  private nextImageId = 0;

  constructor(readonly name: string) {}

  private series<T extends { step: number }>(map: Map<string, Series<T>>, kind: Kind, tag: string): Series<T> {
    let s = map.get(tag);
    if (!s) {
      s = new Series<T>(SAMPLES_PER_TAG[kind]);
      map.set(tag, s);
    }
    return s;
  }

  /** Adds one event's values. Returns a problem description for values that could not be read (others are kept). */
  ingest(e: Event): string[] {
    const problems: string[] = [];
    if (e.sessionLog?.status === SessionStatus.START) {
      // A restart (SummaryWriter's purgeStep): everything logged at or after this step is stale.
      this.purgeFrom(e.step);
      return problems;
    }
    if (!e.summary) return problems;
    for (const v of e.summary.value) {
      try {
        this.ingestValue(v, e.step, e.wallTime);
      } catch (err) {
        problems.push(`tag '${v.tag}' at step ${e.step}: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  private ingestValue(v: SummaryValue, step: number, wallTime: number): void {
    const declared = v.metadata?.pluginData?.pluginName;
    if (declared) this.pluginOf.set(v.tag, declared);
    const plugin = declared ?? this.pluginOf.get(v.tag) ?? "";
    if (v.simpleValue !== undefined) {
      this.add(this.series(this.scalars, "scalars", v.tag), { step, wallTime, value: v.simpleValue });
    } else if (v.image) {
      const img = v.image;
      const entry = { id: this.nextImageId++, step, wallTime, width: img.width, height: img.height, bytes: img.encodedImageString };
      this.add(this.series(this.images, "images", v.tag), entry);
    } else if (v.histo) {
      const h = v.histo;
      const entry = { step, wallTime, min: h.min, max: h.max, num: h.num, buckets: histogramBuckets(h) };
      this.add(this.series(this.histograms, "histograms", v.tag), entry);
    } else if (v.tensor) {
      this.ingestTensor(v.tag, plugin, v.tensor, step, wallTime);
    }
  }

  private ingestTensor(tag: string, plugin: string, t: TensorProto, step: number, wallTime: number): void {
    switch (plugin) {
      case "scalars": {
        const [value] = tensorProtoValues(t);
        if (typeof value !== "number") throw new Error(`scalar tensor holds ${typeof value}, expected a number`);
        this.add(this.series(this.scalars, "scalars", tag), { step, wallTime, value });
        return;
      }
      case "text": {
        const values = tensorProtoValues(t);
        this.add(this.series(this.text, "text", tag), { step, wallTime, text: values.map(String).join("\n") });
        return;
      }
      case "histograms": {
        const flat = tensorProtoValues(t) as number[];
        const buckets: [number, number, number][] = [];
        for (let i = 0; i + 2 < flat.length; i += 3) buckets.push([flat[i], flat[i + 1], flat[i + 2]]);
        const num = buckets.reduce((s, b) => s + b[2], 0);
        const min = buckets.length ? buckets[0][0] : 0;
        const max = buckets.length ? buckets[buckets.length - 1][1] : 0;
        this.add(this.series(this.histograms, "histograms", tag), { step, wallTime, min, max, num, buckets });
        return;
      }
      case "images": {
        // The images plugin's tensor form: [width, height, encoded image, ...] as strings; the first image is shown.
        if (t.stringVal.length < 3) throw new Error(`image tensor has ${t.stringVal.length} strings, expected width, height and an image`);
        const dec = new TextDecoder();
        const entry = {
          id: this.nextImageId++,
          step,
          wallTime,
          width: Number(dec.decode(t.stringVal[0])),
          height: Number(dec.decode(t.stringVal[1])),
          bytes: t.stringVal[2],
        };
        this.add(this.series(this.images, "images", tag), entry);
        return;
      }
      default:
      // Other plugins (hparams, custom_scalars, pr_curves, ...) have no view on this board.
    }
  }

  private add<T extends { step: number }>(s: Series<T>, x: T): void {
    s.push(x);
    this.generation = nextGeneration++;
  }

  /** Drops every value with `step >= step`, in every tag. */
  purgeFrom(step: number): void {
    for (const map of [this.scalars, this.images, this.histograms, this.text] as Map<string, Series<{ step: number }>>[]) {
      for (const s of map.values()) s.purgeFrom(step);
    }
    this.generation = nextGeneration++;
  }

  /** Tag names per kind, sorted. */
  tags(): Record<Kind, string[]> {
    const sorted = (m: Map<string, unknown>): string[] => [...m.keys()].sort();
    return { scalars: sorted(this.scalars), images: sorted(this.images), histograms: sorted(this.histograms), text: sorted(this.text) };
  }
}
