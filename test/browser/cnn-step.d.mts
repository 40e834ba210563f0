/** Types of cnn-step.mjs (plain JS so that the browser runs the same file as Node). */
export interface CnnStepResult {
  /** `torch.backends.current()` while the step ran. */
  backend: string;
  dtype: string;
  /** The loss of each of the two steps, before its update. */
  losses: number[];
  /** The loss after both updates. */
  finalLoss: number;
  /** Every parameter's gradient after the first backward pass, flattened, in `parameters()` order. */
  grads: number[][];
  /** Every parameter after both updates, flattened. */
  params: number[][];
}

export function cnnStep(torch: unknown): CnnStepResult;
