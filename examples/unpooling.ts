/**
 * Max unpooling, seed 001 §2.2.2 ("MaxPool2d unpool"), line by line: pool a random 4×4 image keeping the
 * indices of the maxima, then put other values back at those positions with `nn.MaxUnpool2d`.
 *
 * Run: npx vite-node examples/unpooling.ts
 */
import * as torch from "torch-ts";
import { nn } from "torch-ts";

torch.manualSeed(1); // the tutorial series' set_seed(1); the printed values are PyTorch's for this seed

// pooling
const img_tensor = torch.randint(0, 5, [1, 1, 4, 4], { dtype: torch.float });
const maxpool_layer = new nn.MaxPool2d([2, 2], { stride: [2, 2], returnIndices: true });
const [img_pool, indices] = maxpool_layer(img_tensor);

// unpooling
const img_reconstruct = torch.randnLike(img_pool, { dtype: torch.float });
const maxunpool_layer = new nn.MaxUnpool2d([2, 2], { stride: [2, 2] });
const img_unpool = maxunpool_layer(img_reconstruct, indices);

console.log(`raw_img:\n${img_tensor}\nimg_pool:\n${img_pool}`);
console.log(`img_reconstruct:\n${img_reconstruct}\nimg_unpool:\n${img_unpool}`);
console.log(`indices:\n${indices}`);
