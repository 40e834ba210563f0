import type { LinalgKernels } from "../interface/linalg.js";
import { gemm } from "./gemm.js";

export const linalgKernels: LinalgKernels = { gemm };
