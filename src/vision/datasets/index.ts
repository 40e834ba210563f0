/** `torchvision.datasets`. */
export { MNIST, FashionMNIST, KMNIST } from "./mnist.js";
export type { VisionDatasetOptions } from "./mnist.js";
export { CIFAR10, CIFAR100 } from "./cifar.js";
export type { CIFAROptions, CIFARLayout } from "./cifar.js";
export { DatasetFolder, ImageFolder, IMG_EXTENSIONS, defaultLoader, findClasses, makeDataset, hasFileAllowedExtension } from "./image-folder.js";
export type { DatasetFolderOptions, ImageFolderOptions } from "./image-folder.js";
export { FakeData } from "./fake-data.js";
export type { FakeDataOptions } from "./fake-data.js";
export { downloadFile, checkIntegrity, md5Of } from "./download.js";
export type { ResourceFile } from "./download.js";
export { extractArchive, extractTar, readTar, gunzip } from "./archive.js";
export type { TarEntry } from "./archive.js";
export { unpickleNumpy, isNumpyArray } from "./numpy-pickle.js";
export type { NumpyArray } from "./numpy-pickle.js";
