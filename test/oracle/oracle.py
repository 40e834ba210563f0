"""PyTorch oracle for torch-ts's differential tests.

A persistent process: reads framed requests on stdin, runs PyTorch, writes framed responses on stdout.
Frame: uint32 LE header length, JSON header, then the raw little-endian bytes of every tensor named in the
header (in order). A request holds a batch of cases; each case names an expression over x0, x1, ... and
optional cotangents; the reply holds the outputs and the gradients of every input with requires_grad.
"""
import json
import struct
import sys
import traceback

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # pragma: no cover - reported to the client, which names the install command
    sys.stdout.buffer.write(json.dumps({"fatal": f"cannot import torch: {e}"}).encode() + b"\n")
    sys.stdout.flush()
    sys.exit(3)

torch.set_num_threads(1)

NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64,
      "uint8": np.uint8, "bool": np.bool_}
TORCH_NAME = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32",
              torch.int64: "int64", torch.uint8: "uint8", torch.bool: "bool"}


def read_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = sys.stdin.buffer.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def decode(spec, payload, pos):
    dt = NP[spec["dtype"]]
    n = int(np.prod(spec["shape"])) if spec["shape"] else 1
    nbytes = n * np.dtype(dt).itemsize
    arr = np.frombuffer(payload[pos:pos + nbytes], dtype=dt).copy().reshape(spec["shape"])
    return torch.from_numpy(arr), pos + nbytes


def encode(t, blobs):
    t = t.detach().contiguous().cpu()
    if t.dtype not in TORCH_NAME:
        raise TypeError(f"oracle: unsupported output dtype {t.dtype}")
    blobs.append(t.numpy().tobytes())
    return {"dtype": TORCH_NAME[t.dtype], "shape": list(t.shape)}


def flatten_outputs(r):
    if isinstance(r, torch.Tensor):
        return [r]
    if isinstance(r, (tuple, list)):
        out = []
        for x in r:
            out.extend(flatten_outputs(x))
        return out
    if isinstance(r, (int, float, bool)):
        return [torch.tensor(r)]
    raise TypeError(f"oracle: expression returned {type(r).__name__}, expected tensors")


def run_case(case, payload, pos):
    xs = []
    for spec in case["inputs"]:
        t, pos = decode(spec, payload, pos)
        if spec.get("requiresGrad"):
            t.requires_grad_(True)
        xs.append(t)
    cots = []
    for spec in case.get("cotangents", []):
        t, pos = decode(spec, payload, pos)
        cots.append(t)
    env = {"torch": torch, "nn": nn, "F": F, "math": __import__("math")}
    for i, x in enumerate(xs):
        env[f"x{i}"] = x
    blobs = []
    try:
        if case.get("seed") is not None:
            torch.manual_seed(case["seed"])
        src = case["expr"]
        if "\n" in src or src.lstrip().startswith("out ="):
            exec(src, env)
            result = env["out"]
        else:
            result = eval(src, env)
        outs = flatten_outputs(result)
        reply = {"outputs": [encode(o, blobs) for o in outs]}
        want = [x for x in xs if x.requires_grad]
        diff_outs = [o for o in outs if o.requires_grad]
        if want and diff_outs and cots:
            if len(cots) != len(diff_outs):
                raise ValueError(f"oracle: {len(cots)} cotangents for {len(diff_outs)} differentiable outputs")
            grads = torch.autograd.grad(diff_outs, want, [c.to(o.dtype) for c, o in zip(cots, diff_outs)],
                                        allow_unused=True)
            reply["grads"] = [None if g is None else encode(g, blobs) for g in grads]
        else:
            reply["grads"] = [None for _ in want]
    except Exception as e:
        blobs = []
        reply = {"error": str(e), "errorType": type(e).__name__}
    return reply, blobs, pos


def main():
    sys.stdout.buffer.write(json.dumps({"ready": torch.__version__}).encode() + b"\n")
    sys.stdout.flush()
    while True:
        head = read_exact(8)
        if head is None:
            return
        hlen, plen = struct.unpack("<II", head)
        header = json.loads(read_exact(hlen).decode())
        payload = read_exact(plen) if plen else b""
        replies, all_blobs, pos = [], [], 0
        for case in header["cases"]:
            try:
                reply, blobs, pos = run_case(case, payload, pos)
            except Exception:
                reply, blobs = {"error": traceback.format_exc(), "errorType": "OracleError"}, []
            replies.append(reply)
            all_blobs.extend(blobs)
        body = b"".join(all_blobs)
        out = json.dumps({"results": replies}).encode()
        sys.stdout.buffer.write(struct.pack("<II", len(out), len(body)) + out + body)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
