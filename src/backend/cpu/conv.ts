import type { ConvKernels } from "../interface/conv.js";

export const convKernels: ConvKernels = {};
