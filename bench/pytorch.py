"""The benchmark workloads in PyTorch, for bench/run.ts: `python3 bench/pytorch.py '<config JSON>'`.

Mirrors bench/torch-ts.ts case by case and bench/measure.ts's timing policy, and writes the same JSON lines
(`ChildLine` in bench/workloads.ts) to stdout. Run with /usr/bin/python3 (Debian's torch 1.13) and
OPENBLAS_CORETYPE=SKYLAKEX (see ../shared/WORKLOADS.md); the report says which BLAS was actually loaded.
"""
import ctypes
import json
import os
import resource
import sys
import time


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def measure(key, step, policy):
    budget = policy["budgetS"]
    # Progress lines at most every tickEveryMs (bench/measure.ts): one per iteration woke the parent inside
    # the next timed iteration.
    every = min(1.0, policy["hardCapS"] / 10)
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        if now - last[0] >= every:
            last[0] = now
            emit({"type": "tick"})

    for _ in range(policy["warmup"]):
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        tick()
        if dt > budget:
            return {"key": key, "status": "too slow", "budgetS": budget, "measuredMs": dt * 1000}
    times = []
    total = 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while len(times) < policy["maxIters"] and (len(times) < policy["minIters"] or total < policy["minTimeS"]):
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        tick()
        if dt > budget:
            return {"key": key, "status": "too slow", "budgetS": budget, "measuredMs": dt * 1000}
        times.append(dt)
        total += dt
    cpu_cores = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    s = sorted(times)
    n = len(s)
    median = s[(n - 1) // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"key": key, "status": "ok", "iters": n, "medianMs": median * 1000, "minMs": s[0] * 1000, "maxMs": s[-1] * 1000,
            "cpuCores": cpu_cores}


def blas_info():
    """Which BLAS library this process mapped, and OpenBLAS's own idea of the core it tuned for."""
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    info = {"blasLibraries": ", ".join(paths) or "none mapped"}
    openblas = [p for p in paths if "openblas" in p.lower()]
    if openblas:
        lib = ctypes.CDLL(openblas[0])
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        info["openblas"] = "yes: %s, core %s, %d threads" % (
            lib.openblas_get_config().decode(), lib.openblas_get_corename().decode(), lib.openblas_get_num_threads())
    else:
        info["openblas"] = "no (PyTorch is not using OpenBLAS; GEMM-bound cases will be slow)"
    return info


def main():
    config = json.loads(sys.argv[1])
    try:
        import torch
        from torch import nn
    except Exception as e:  # absent is a result, not a crash
        emit({"type": "absent", "system": "pytorch", "detail": "import torch failed: %s" % e})
        return
    torch.set_num_threads(2)
    torch.manual_seed(0)

    def cifar_cnn():
        return nn.Sequential(
            nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))

    def lenet():
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))

    def train_step(model, x, y):
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    def fwd_bwd(module, x):
        def step():
            x.grad = None
            module.zero_grad(set_to_none=True)
            module(x).sum().backward()
        return step

    def forward_only(module, x):
        def step():
            with torch.no_grad():
                module(x)
        return step

    def gemm():
        a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)

        def step():
            torch.matmul(a, b)
        return step

    def labels():
        return torch.randint(0, 10, (64,))

    builders = {
        "W1.fwd": lambda: forward_only(nn.Conv2d(3, 6, 3), torch.randn(64, 3, 32, 32)),
        "W1.fwdbwd": lambda: fwd_bwd(nn.Conv2d(3, 6, 3), torch.randn(64, 3, 32, 32, requires_grad=True)),
        "W2.fwd": lambda: forward_only(nn.MaxPool2d(3), torch.randn(64, 3, 32, 32)),
        "W2.fwdbwd": lambda: fwd_bwd(nn.MaxPool2d(3), torch.randn(64, 3, 32, 32, requires_grad=True)),
        "W3.fwd": lambda: forward_only(nn.AvgPool2d(2, stride=2), torch.randn(64, 3, 32, 32)),
        "W4.fwdbwd": lambda: fwd_bwd(nn.Linear(3072, 10), torch.randn(64, 3072, requires_grad=True)),
        "W5.step": lambda: train_step(cifar_cnn(), torch.randn(64, 3, 32, 32), labels()),
        "W6.step": lambda: train_step(lenet(), torch.randn(64, 1, 28, 28), labels()),
        "W7.gemm": gemm,
        "W8.b1": lambda: forward_only(cifar_cnn(), torch.randn(1, 3, 32, 32)),
        "W8.b256": lambda: forward_only(cifar_cnn(), torch.randn(256, 3, 32, 32)),
    }

    info = {
        "version": torch.__version__,
        "python": sys.executable,
        "threads": str(torch.get_num_threads()),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "mkldnn": str(torch.backends.mkldnn.is_available()),
    }
    info.update(blas_info())
    emit({"type": "info", "system": "pytorch", "info": info})
    for key in config["cases"]:
        emit({"type": "start", "key": key})
        try:
            result = measure(key, builders[key](), config["policy"])
        except Exception as e:
            result = {"key": key, "status": "error", "detail": str(e).split("\n")[0][:300]}
        emit({"type": "result", "result": result})
    # ru_maxrss is in kilobytes on Linux.
    emit({"type": "end", "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


main()
