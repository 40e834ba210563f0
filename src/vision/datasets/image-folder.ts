import { readdirSync, statSync } from "node:fs";
import { sep } from "node:path";
import { Dataset } from "../../data/dataset.js";
import type { Image } from "../image.js";
import { readImage } from "../io-node.js";
import type { TransformLike } from "../transforms/transform.js";

/** torchvision's `IMG_EXTENSIONS`: the files `ImageFolder` lists by default (PNG and JPEG are decoded). */
export const IMG_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

/** True when `filename` (lower-cased) ends with one of `extensions`, as torchvision's `has_file_allowed_extension`. */
export function hasFileAllowedExtension(filename: string, extensions: string | readonly string[]): boolean {
  const name = filename.toLowerCase();
  return (typeof extensions === "string" ? [extensions] : extensions).some((e) => name.endsWith(e));
}

/** `os.path.join(a, b)`: paths are kept as given (no normalization), so `samples` match torchvision's. */
function join(a: string, b: string): string {
  return a === "" || a.endsWith(sep) || a.endsWith("/") ? a + b : a + sep + b;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory(); // follows symlinks, as os.scandir's entry.is_dir()
  } catch {
    return false;
  }
}

/** Python's `sorted()` on str: by code point (JavaScript's default sort compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * The class folders of `directory`, sorted, and their indices, as torchvision's `find_classes`.
 * @throws when there is no subfolder ("Couldn't find any class folder in …")
 */
export function findClasses(directory: string, what = "ImageFolder"): [string[], Record<string, number>] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (e) {
    throw new Error(`${what}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? `No such file or directory: '${directory}'` : (e as Error).message}`);
  }
  const classes = names.filter((n) => isDir(join(directory, n))).sort(byCodePoint);
  if (classes.length === 0) throw new Error(`${what}: Couldn't find any class folder in ${directory}.`);
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

/** `os.walk(top, followlinks=True)`, each folder's files; symlink cycles are cut. */
function walk(top: string, out: Array<[string, string[]]>, seen: Set<string>): void {
  let st;
  try {
    st = statSync(top);
  } catch {
    return;
  }
  const id = `${st.dev}:${st.ino}`;
  if (seen.has(id)) return;
  seen.add(id);
  let names: string[];
  try {
    names = readdirSync(top);
  } catch {
    return; // os.walk skips folders it cannot list
  }
  const files: string[] = [];
  const dirs: string[] = [];
  for (const name of names) (isDir(join(top, name)) ? dirs : files).push(name);
  out.push([top, files]);
  for (const d of dirs) walk(join(top, d), out, seen);
  seen.delete(id);
}

/**
 * `[path, classIndex]` for every valid file under each class folder, as torchvision's `make_dataset`: classes
 * in sorted order, folders (recursively) sorted by path, files sorted by name. Exactly one of `extensions`
 * and `isValidFile` must be given. `what` starts error messages.
 * @throws when a class has no valid file ("Found no valid file for the classes …")
 */
export function makeDataset(
  directory: string,
  classToIdx: Record<string, number>,
  extensions?: string | readonly string[] | null,
  isValidFile?: ((path: string) => boolean) | null,
  what = "ImageFolder",
): Array<[string, number]> {
  if (Object.keys(classToIdx).length === 0) throw new Error(`${what}: 'class_to_index' must have at least one entry to collect any samples.`);
  const hasExt = extensions !== undefined && extensions !== null;
  if (hasExt === (isValidFile !== undefined && isValidFile !== null)) {
    throw new Error(`${what}: Both extensions and is_valid_file cannot be None or not None at the same time`);
  }
  const valid = hasExt ? (p: string) => hasFileAllowedExtension(p, extensions!) : isValidFile!;
  const instances: Array<[string, number]> = [];
  const available = new Set<string>();
  for (const cls of Object.keys(classToIdx).sort(byCodePoint)) {
    const targetDir = join(directory, cls);
    if (!isDir(targetDir)) continue;
    const folders: Array<[string, string[]]> = [];
    walk(targetDir, folders, new Set());
    folders.sort((a, b) => byCodePoint(a[0], b[0]));
    for (const [root, files] of folders) {
      for (const f of files.sort(byCodePoint)) {
        const path = join(root, f);
        if (valid(path)) {
          instances.push([path, classToIdx[cls]]);
          available.add(cls);
        }
      }
    }
  }
  const empty = Object.keys(classToIdx).filter((c) => !available.has(c));
  if (empty.length > 0) {
    let msg = `Found no valid file for the classes ${empty.sort(byCodePoint).join(", ")}. `;
    if (hasExt) msg += `Supported extensions are: ${typeof extensions === "string" ? extensions : extensions!.join(", ")}`;
    throw new Error(`${what}: ${msg}`);
  }
  return instances;
}

/**
 * Reads an image file as an RGB `Image`, as torchvision's `default_loader` (PIL's `Image.open(f).convert("RGB")`):
 * PNG or JPEG by content, through `readImage`. Errors name the path.
 */
export function defaultLoader(path: string): Image {
  return readImage(path, { mode: "RGB" });
}

export interface DatasetFolderOptions {
  /** Allowed file extensions (lower case, with the dot); exclusive with `isValidFile`. */
  extensions?: string | readonly string[] | null;
  transform?: TransformLike | null;
  targetTransform?: TransformLike | null;
  /** Decides which files are samples; exclusive with `extensions`. */
  isValidFile?: ((path: string) => boolean) | null;
}

/**
 * Samples from files in one folder per class, as `torchvision.datasets.DatasetFolder(root, loader, extensions,
 * transform, target_transform, is_valid_file)`. Samples are `[loader(path), classIndex]`.
 */
export class DatasetFolder<S = any> extends Dataset<[any, any]> {
  /** Class names, sorted. */
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** `[path, classIndex]` per sample. */
  readonly samples: Array<[string, number]>;
  readonly targets: number[];
  readonly extensions: string | readonly string[] | null;
  readonly transform: TransformLike | null;
  readonly targetTransform: TransformLike | null;

  constructor(
    readonly root: string,
    readonly loader: (path: string) => S,
    opts: DatasetFolderOptions = {},
  ) {
    super();
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    this.extensions = opts.extensions ?? null;
    [this.classes, this.classToIdx] = this.findClasses(root);
    this.samples = makeDataset(root, this.classToIdx, opts.extensions, opts.isValidFile, this.constructor.name);
    this.targets = this.samples.map((s) => s[1]);
  }

  /** Override to choose the classes differently (torchvision's `find_classes` method). */
  findClasses(directory: string): [string[], Record<string, number>] {
    return findClasses(directory, this.constructor.name);
  }

  get length(): number {
    return this.samples.length;
  }

  getItem(index: number): [any, any] {
    const [path, target] = this.samples[this.checkIndex(index)];
    const sample = this.loader(path);
    return [this.transform ? this.transform(sample) : sample, this.targetTransform ? this.targetTransform(target) : target];
  }

  override toString(): string {
    return `Dataset ${this.constructor.name}\n    Number of datapoints: ${this.length}\n    Root location: ${this.root}`;
  }
}

export interface ImageFolderOptions extends DatasetFolderOptions {
  /** Reads one file (default: `defaultLoader`, RGB Images). */
  loader?: (path: string) => any;
}

/**
 * Images arranged as `root/<class>/**\/<file>`, as `torchvision.datasets.ImageFolder(root, transform,
 * target_transform, loader, is_valid_file)`. Files with `IMG_EXTENSIONS` are listed unless `isValidFile` or
 * `extensions` says otherwise; PNG and JPEG are decoded to RGB. A file that cannot be decoded fails with its path.
 *
 * @example
 * const ds = new ImageFolder("data/pets", { transform: new transforms.ToTensor() });
 * ds.classes; // ["cat", "dog"]
 */
export class ImageFolder extends DatasetFolder<any> {
  /** The same list as `samples`, as torchvision's `imgs`. */
  readonly imgs: Array<[string, number]>;

  constructor(root: string, opts: ImageFolderOptions = {}) {
    const extensions = opts.extensions !== undefined && opts.extensions !== null ? opts.extensions : opts.isValidFile ? null : IMG_EXTENSIONS;
    super(root, opts.loader ?? defaultLoader, { ...opts, extensions });
    this.imgs = this.samples;
  }
}
