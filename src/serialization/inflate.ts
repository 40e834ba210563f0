/**
 * A raw DEFLATE decoder (RFC 1951), browser-safe, for zip entries that are not stored. PyTorch stores its
 * records uncompressed, but a checkpoint re-zipped by another tool may deflate them.
 *
 * Huffman codes are decoded through one lookup table per code, indexed by the next `maxBits` input bits
 * (codes are packed LSB-first, so the table is built from bit-reversed codes).
 */

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
  16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order code-length code lengths are transmitted in (RFC 1951 §3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** `table[next maxBits bits] = symbol << 4 | code length`; 0 marks bit patterns that start no code. */
interface Huffman {
  table: Int32Array;
  maxBits: number;
}

function buildHuffman(lengths: ArrayLike<number>, what: string): Huffman {
  let maxBits = 0;
  const count = new Int32Array(16);
  for (let i = 0; i < lengths.length; i++) {
    count[lengths[i]]++;
    if (lengths[i] > maxBits) maxBits = lengths[i];
  }
  count[0] = 0;
  const next = new Int32Array(16);
  let code = 0;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
    left = (left << 1) - count[len];
    if (left < 0) throw new Error(`invalid deflate data: over-subscribed ${what} code`);
  }
  const table = new Int32Array(1 << maxBits);
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    let c = next[len]++;
    let rev = 0;
    for (let b = 0; b < len; b++) {
      rev = (rev << 1) | (c & 1);
      c >>= 1;
    }
    for (let j = rev; j < table.length; j += 1 << len) table[j] = (sym << 4) | len;
  }
  return { table, maxBits };
}

let fixedCodes: { lit: Huffman; dist: Huffman } | null = null;

function fixed(): { lit: Huffman; dist: Huffman } {
  if (fixedCodes === null) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixedCodes = { lit: buildHuffman(lit, "literal/length"), dist: buildHuffman(new Uint8Array(30).fill(5), "distance") };
  }
  return fixedCodes;
}

/**
 * Inflates a raw DEFLATE stream whose decompressed size is known (zip records it).
 * @throws Error on malformed data, on a stream that ends early, or on a size other than `expectedSize`
 */
export function inflateRaw(input: Uint8Array, expectedSize: number): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let outPos = 0;
  let inPos = 0;
  let bitBuf = 0;
  let bitCount = 0;

  // Past the end, zero bytes are fed so a table lookup may peek; `checkInput` catches real overruns.
  const need = (n: number): void => {
    while (bitCount < n) {
      bitBuf |= (inPos < input.length ? input[inPos] : 0) << bitCount;
      inPos++;
      bitCount += 8;
    }
  };
  const bits = (n: number): number => {
    need(n);
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  };
  const checkInput = (): void => {
    if (inPos - (bitCount >> 3) > input.length) throw new Error("invalid deflate data: unexpected end of compressed data");
  };
  const decode = (h: Huffman): number => {
    need(h.maxBits);
    const e = h.table[bitBuf & ((1 << h.maxBits) - 1)];
    if (e === 0) throw new Error("invalid deflate data: invalid Huffman code");
    const len = e & 15;
    bitBuf >>>= len;
    bitCount -= len;
    return e >> 4;
  };

  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitBuf = 0;
      inPos -= bitCount >> 3;
      bitCount = 0;
      if (inPos + 4 > input.length) throw new Error("invalid deflate data: unexpected end of compressed data");
      const len = input[inPos] | (input[inPos + 1] << 8);
      const nlen = input[inPos + 2] | (input[inPos + 3] << 8);
      inPos += 4;
      if ((len ^ 0xffff) !== nlen) throw new Error("invalid deflate data: stored block length check failed");
      if (inPos + len > input.length) throw new Error("invalid deflate data: unexpected end of compressed data");
      if (outPos + len > expectedSize) throw new Error(`invalid deflate data: more than the expected ${expectedSize} bytes`);
      out.set(input.subarray(inPos, inPos + len), outPos);
      inPos += len;
      outPos += len;
      continue;
    }
    let lit: Huffman;
    let dist: Huffman;
    if (type === 1) {
      ({ lit, dist } = fixed());
    } else if (type === 2) {
      const nlen = bits(5) + 257;
      const ndist = bits(5) + 1;
      const ncode = bits(4) + 4;
      if (nlen > 286 || ndist > 30) throw new Error("invalid deflate data: too many length or distance codes");
      const clLengths = new Uint8Array(19);
      for (let i = 0; i < ncode; i++) clLengths[CODE_LENGTH_ORDER[i]] = bits(3);
      const cl = buildHuffman(clLengths, "code length");
      const lengths = new Uint8Array(nlen + ndist);
      for (let i = 0; i < nlen + ndist; ) {
        const sym = decode(cl);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let repeat: number;
        let value = 0;
        if (sym === 16) {
          if (i === 0) throw new Error("invalid deflate data: repeated length with no first length");
          value = lengths[i - 1];
          repeat = 3 + bits(2);
        } else if (sym === 17) {
          repeat = 3 + bits(3);
        } else {
          repeat = 11 + bits(7);
        }
        if (i + repeat > nlen + ndist) throw new Error("invalid deflate data: too many code lengths");
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (lengths[256] === 0) throw new Error("invalid deflate data: no end-of-block code");
      lit = buildHuffman(lengths.subarray(0, nlen), "literal/length");
      dist = buildHuffman(lengths.subarray(nlen), "distance");
    } else {
      throw new Error("invalid deflate data: invalid block type 3");
    }
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        if (outPos >= expectedSize) throw new Error(`invalid deflate data: more than the expected ${expectedSize} bytes`);
        out[outPos++] = sym;
      } else if (sym === 256) {
        break;
      } else {
        const li = sym - 257;
        if (li >= 29) throw new Error("invalid deflate data: invalid length code");
        const length = LENGTH_BASE[li] + bits(LENGTH_EXTRA[li]);
        const di = decode(dist);
        if (di >= 30) throw new Error("invalid deflate data: invalid distance code");
        const distance = DIST_BASE[di] + bits(DIST_EXTRA[di]);
        if (distance > outPos) throw new Error("invalid deflate data: distance too far back");
        if (outPos + length > expectedSize) throw new Error(`invalid deflate data: more than the expected ${expectedSize} bytes`);
        for (let k = 0; k < length; k++, outPos++) out[outPos] = out[outPos - distance];
      }
    }
    checkInput();
  }
  checkInput();
  if (outPos !== expectedSize) throw new Error(`invalid deflate data: ${outPos} bytes inflated, ${expectedSize} expected`);
  return out;
}
