/** `torchvision.datasets`. */
export { MNIST, FashionMNIST, KMNIST } from "./mnist.js";
export type { VisionDatasetOptions } from "./mnist.js";
export { downloadFile, checkIntegrity, md5Of } from "./download.js";
export type { ResourceFile } from "./download.js";
