/**
 * Runs a native kernel; a failure becomes an Error naming the op and its configuration, or, when the user
 * allowed fallbacks, a one-time warning and the js backend's kernel.
 */
export type Attempt = (op: string, config: () => string, run: () => void, fallback: () => void) => void;

export function makeAttempt(allowFallback: boolean): Attempt {
  const warned = new Set<string>();
  return (op, config, run, fallback) => {
    try {
      run();
    } catch (e) {
      const message = `${op}: the native backend (oneDNN) failed for ${config()}: ${e instanceof Error ? e.message : String(e)}`;
      if (!allowFallback) throw new Error(message, { cause: e });
      if (!warned.has(message)) {
        warned.add(message);
        console.warn(`torch-ts: ${message}; running it on the js backend`);
      }
      fallback();
    }
  };
}
