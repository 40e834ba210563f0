/**
 * A model's graph for TensorBoard's graph plugin: `GraphDef` / `NodeDef` / `AttrValue` as PyTorch's
 * `torch/utils/tensorboard/_pytorch_graph.py` and `_proto_graph.py` write them, with one node per leaf module
 * call instead of one per traced aten op (torch-ts has no tracer; forward hooks see module calls).
 */
import { noGrad } from "../autograd/grad-mode.js";
import type { Module } from "../nn/module.js";
import { Tensor } from "../tensor.js";
import { writeTensorShape } from "./messages.js";
import { ProtoWriter } from "./protobuf.js";
import {
  AttrValueField,
  AttrValueListField,
  DeviceStepStatsField,
  GraphDefField,
  MapEntryField,
  NodeDefField,
  RunMetadataField,
  StepStatsField,
  VersionDefField,
} from "./schema.js";

/** One node: `name` is its scope path (`Net/Sequential[features]/Conv2d[0]`), as PyTorch names scopes. */
export interface GraphNode {
  name: string;
  /** `IO Node` for inputs and outputs (PyTorch's kind), else the module's class name. */
  op: string;
  inputs: string[];
  /** Shape of the node's output, when it is a tensor. */
  outputShape: number[] | null;
  /** The `attr` attribute: the module as it prints (empty for IO nodes). */
  attr: string;
}

/** `VersionDef.producer` of PyTorch's graphs. */
export const GRAPH_PRODUCER = 22;

/**
 * Runs `model` once on `inputs` (in eval mode, without autograd, as PyTorch traces) and returns its graph:
 * input nodes `input/input.<i>`, one node per call of a leaf module, output nodes `output/output.<i>`. An
 * edge goes from the node that produced a tensor to each module call that takes it; a tensor made by a
 * plain function between modules (`torch.flatten` in `forward`) is drawn as coming from the last module
 * called before it.
 */
export function moduleGraph(model: Module, inputs: readonly Tensor[], op = "addGraph"): GraphNode[] {
  for (const x of inputs) if (!(x instanceof Tensor)) throw new TypeError(`${op}: input_to_model must be a Tensor or an array of Tensors`);
  const nodes: GraphNode[] = [];
  const producer = new Map<Tensor, string>();
  inputs.forEach((x, i) => {
    const name = inputs.length === 1 ? "input/input" : `input/input.${i}`;
    nodes.push({ name, op: "IO Node", inputs: [], outputShape: x.shape.slice(), attr: "" });
    producer.set(x, name);
  });
  // PyTorch's scope names: the root's class, then `Class[attribute]` per level (a shared module: its first path).
  const scopes = new Map<Module, string>();
  const walk = (m: Module, scope: string): void => {
    if (scopes.has(m)) return;
    scopes.set(m, scope);
    for (const [n, c] of m.namedChildren()) walk(c, `${scope}/${c._getName()}[${n}]`);
  };
  walk(model, model._getName());
  const leaves = model.namedModules().filter(([, m]) => m.children().length === 0);
  const calls = new Map<string, number>();
  let last = nodes.length ? nodes[nodes.length - 1].name : "";
  const handles = leaves.map(([, m]) =>
    m.registerForwardHook((mod, args, out) => {
      const scope = scopes.get(mod)!;
      const k = calls.get(scope) ?? 0;
      calls.set(scope, k + 1);
      const name = k === 0 ? scope : `${scope}.${k}`;
      const from = new Set<string>();
      for (const a of args) if (a instanceof Tensor) from.add(producer.get(a) ?? last);
      if (from.size === 0 && last) from.add(last);
      nodes.push({ name, op: mod._getName(), inputs: [...from], outputShape: out instanceof Tensor ? out.shape.slice() : null, attr: String(mod) });
      if (out instanceof Tensor) producer.set(out, name);
      last = name;
    }),
  );
  const wasTraining = model.training;
  let result: unknown;
  try {
    model.eval();
    result = noGrad(() => (model as unknown as (...xs: Tensor[]) => unknown)(...inputs));
  } catch (e) {
    throw new Error(`${op}: running the model on the given input failed: ${(e as Error).message}`);
  } finally {
    for (const h of handles) h.remove();
    model.train(wasTraining);
  }
  const outs = (Array.isArray(result) ? result : [result]).filter((x): x is Tensor => x instanceof Tensor);
  outs.forEach((y, i) => {
    nodes.push({ name: `output/output.${i + 1}`, op: "IO Node", inputs: [producer.get(y) ?? last], outputShape: y.shape.slice(), attr: "" });
  });
  return nodes;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `GraphDef{node, versions{producer: 22}}` of `nodes`; node attributes are written in key order. */
export function encodeGraphDef(nodes: readonly GraphNode[]): Uint8Array {
  const w = new ProtoWriter();
  for (const n of nodes) {
    w.message(GraphDefField.node, (nw) => {
      nw.string(NodeDefField.name, n.name);
      nw.string(NodeDefField.op, n.op);
      for (const i of n.inputs) nw.string(NodeDefField.input, i);
      if (n.outputShape) {
        nw.message(NodeDefField.attr, (ew) => {
          ew.string(MapEntryField.key, "_output_shapes");
          ew.message(MapEntryField.value, (vw) =>
            vw.message(AttrValueField.list, (lw) => lw.message(AttrValueListField.shape, (sw) => writeTensorShape(sw, { dim: n.outputShape!.map((size) => ({ size })) }))),
          );
        });
      }
      nw.message(NodeDefField.attr, (ew) => {
        ew.string(MapEntryField.key, "attr");
        ew.message(MapEntryField.value, (vw) => vw.bytes(AttrValueField.s, utf8(n.attr)));
      });
    });
  }
  w.message(GraphDefField.versions, (vw) => vw.int(VersionDefField.producer, GRAPH_PRODUCER));
  return w.finish();
}

/** PyTorch's run metadata beside the graph: `RunMetadata{step_stats{dev_stats{device: "/device:CPU:0"}}}`. */
export function encodeRunMetadata(device = "/device:CPU:0"): Uint8Array {
  return new ProtoWriter()
    .message(RunMetadataField.stepStats, (sw) => sw.message(StepStatsField.devStats, (dw) => dw.string(DeviceStepStatsField.device, device)))
    .finish();
}
