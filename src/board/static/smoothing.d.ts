/** TensorBoard's debiased exponential moving average of scalar values (see smoothing.js). */
export declare function smooth(values: readonly number[], weight: number): number[];
