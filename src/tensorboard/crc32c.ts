/**
 * CRC-32C (Castagnoli) and TensorFlow's masked form, as the TFRecord framing of event files uses them.
 *
 * Not zlib's CRC-32: the polynomial is 0x1EDC6F41 (reflected 0x82F63B78). Source: TensorFlow's
 * `tsl/lib/hash/crc32c.h` and TensorBoard's `compat/tensorflow_stub/pywrap_tensorflow.py masked_crc32c`.
 */

const CRC32C_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `data` (init 0xFFFFFFFF, final xor 0xFFFFFFFF). `crc32c("123456789") = 0xE3069283`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The constant TensorFlow adds when masking: CRCs of data that itself holds CRCs are then not degenerate. */
export const CRC_MASK_DELTA = 0xa282ead8;

/** `((crc >>> 15) | (crc << 17)) + 0xA282EAD8 (mod 2^32)`: rotate right by 15, then add the delta. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + CRC_MASK_DELTA) >>> 0;
}

/** Inverse of `maskCrc`. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - CRC_MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** `maskCrc(crc32c(data[start:end]))`: the value a TFRecord stores after its length and after its data. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  return maskCrc(crc32c(data, start, end));
}
