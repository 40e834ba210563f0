/** Whether operations record the autograd graph (`torch.is_grad_enabled`). */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    const r = fn();
    if (r instanceof Promise) {
      // An async body would outlive the mode switch; refuse rather than leak the mode across awaits.
      throw new Error("noGrad/enableGrad: the function must be synchronous (it returned a Promise)");
    }
    return r;
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` without recording the graph, as `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs `fn` with recording on, as `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
