/** Conv kernels of the backend interface. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConvKernels {}
