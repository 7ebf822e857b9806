// The hot loops of the integer forward again, in indexed form, for the ahead-of-time build.
//
// wasm2c checks every memory access; the AOT build's accessors drop a check when gcc can prove the address below
// BITRL_FAST_LIMIT (the proven memory less 8 KiB: 120 KiB on qemu-m4; scripts/aot-gen.mjs, docs/aot.md). gcc proves
// it from value ranges alone, and only for an address made of a base with a known range and a counter stepping by
// one. So each kernel here tests its bases (<= IX_BASE) and counts once, then addresses every element as base +
// (j << k): inside, no check is left. Out of that range it returns "not taken" (false, or a value no result can be),
// having written nothing its pointer form does not write again, and the caller runs the pointer form (fixed.ts, attention.ts, backbone.ts): the same
// integers either way (golden vectors and backbone bytes in V8 for both modules, the AOT build's board tests).
//
// Only build/agent.aot.wasm has them: it is compiled with `--use BITRL_INDEXED=1` (scripts/build.mjs), and each
// caller asks `isDefined(BITRL_INDEXED)`, which the compiler settles, so build/agent.wasm (V8, wasm3, WAMR) is byte
// for byte what it is without this file. In wasm3 the indexed form would cost more than the pointer form (each index
// shift and add is an interpreted operation), and its code would sit in wasm3's compiled-code heap.
import { absU32, fxMul, fxShift, quantBy, rmsInverse, roundQ, saturate, scoreLog2, XQ } from "./fixed";

/** Largest base the indexed loops take: every address they form stays below 96 KiB + IX_COUNT * 8 + 8 KiB. */
const IX_BASE: usize = 96 << 10;
/** Largest element count they take. */
const IX_COUNT: u32 = 1024;

// @ts-ignore: decorator
@inline function inRange(p: usize): bool {
  return p <= IX_BASE;
}

/** quantBy's loops (fixed.ts): q[j] = roundQ(x[j] (* gains[j])) as i8, or as t3 lanes (u16 at stride 8). */
export function quantLoopsIx(x: usize, n: i32, gains: usize, out: usize, lanes: bool, sh: i32, r: i32, c: i32): bool {
  if (!inRange(x) || !inRange(gains) || !inRange(out) || <u32>n > IX_COUNT) return false;
  if (lanes) {
    if (gains)
      for (let j = 0; j < n; j++) {
        const h = load<i32>(x + <usize>(j << 2)) * load<i32>(gains + <usize>(j << 2));
        store<u16>(out + <usize>(j << 3), roundQ(h, sh, r, c));
      }
    else
      for (let j = 0; j < n; j++) store<u16>(out + <usize>(j << 3), roundQ(load<i32>(x + <usize>(j << 2)), sh, r, c));
  } else {
    const c8 = c - (128 << 23);
    if (gains)
      for (let j = 0; j < n; j++) {
        const h = load<i32>(x + <usize>(j << 2)) * load<i32>(gains + <usize>(j << 2));
        store<i8>(out + <usize>j, roundQ(h, sh, r, c8));
      }
    else for (let j = 0; j < n; j++) store<i8>(out + <usize>j, roundQ(load<i32>(x + <usize>(j << 2)), sh, r, c8));
  }
  return true;
}

/** normQuant (fixed.ts); -1 (no multiplier's bits) when not taken. */
export function normQuantIx(x: usize, gains: usize, gs: i32, n: i32, out: usize, lanes: bool): i32 {
  if (!inRange(x) || !inRange(gains) || <u32>n > IX_COUNT) return -1;
  let ss: i64 = 0;
  let amax: u32 = 0;
  for (let j = 0; j < n; j++) {
    const v = load<i32>(x + <usize>(j << 2));
    ss += <i64>v * <i64>v;
    amax = max(amax, absU32(v * load<i32>(gains + <usize>(j << 2))));
  }
  return fxMul(quantBy(x, n, amax, gains, XQ + gs, out, lanes), rmsInverse(ss, n));
}

/** normF32 (fixed.ts). */
export function normF32Ix(x: usize, gains: usize, gs: i32, n: i32, out: usize): bool {
  if (!inRange(x) || !inRange(gains) || !inRange(out) || <u32>n > IX_COUNT) return false;
  let ss: i64 = 0;
  for (let j = 0; j < n; j++) {
    const v = load<i32>(x + <usize>(j << 2));
    ss += <i64>v * <i64>v;
  }
  const f = rmsInverse(ss, n);
  const e = min(max((f >> 16) + XQ + gs, -127), 126);
  const scale = <f32>(f & 0xffff) * reinterpret<f32>((<u32>(127 - e)) << 23);
  for (let j = 0; j < n; j++)
    store<f32>(
      out + <usize>(j << 2),
      <f32>(load<i32>(x + <usize>(j << 2)) * load<i32>(gains + <usize>(j << 2))) * scale,
    );
  return true;
}

/** rescaleAdd (fixed.ts): y[j] += round((lane j - unbias) f), saturated. */
export function rescaleAddIx(acc: usize, unbias: i32, rows: i32, f: i32, y: usize): bool {
  if (!inRange(acc) || !inRange(y) || <u32>rows > IX_COUNT) return false;
  const m = f & 0xffff,
    s = fxShift(f, XQ);
  const c = (1 << (s - 1)) - unbias * m;
  for (let j = 0; j < rows; j++) {
    const p = y + <usize>(j << 2);
    store<i32>(p, saturate(load<i32>(p) + ((<i32>load<u16>(acc + <usize>(j << 3)) * m + c) >> s)));
  }
  return true;
}

/** relu2Amax (fixed.ts); 0xffffffff (above any square of a lane) when not taken. */
export function relu2AmaxIx(acc: usize, unbias: i32, rows: i32, y: usize): u32 {
  if (!inRange(acc) || !inRange(y) || <u32>rows > IX_COUNT) return 0xffffffff;
  let amax: u32 = 0;
  for (let j = 0; j < rows; j++) {
    const v = max(<i32>load<u16>(acc + <usize>(j << 3)) - unbias, 0);
    const sq = v * v;
    store<i32>(y + <usize>(j << 2), sq);
    amax = max(amax, <u32>sq);
  }
  return amax;
}

/** storeRaw (fixed.ts). */
export function storeRawIx(acc: usize, unbias: i32, rows: i32, y: usize, relu2: bool): bool {
  if (!inRange(acc) || !inRange(y) || <u32>rows > IX_COUNT) return false;
  if (relu2)
    for (let j = 0; j < rows; j++) {
      const v = max(<i32>load<u16>(acc + <usize>(j << 3)) - unbias, 0);
      store<i32>(y + <usize>(j << 2), v * v);
    }
  else for (let j = 0; j < rows; j++) store<i32>(y + <usize>(j << 2), <i32>load<u16>(acc + <usize>(j << 3)) - unbias);
  return true;
}

/**
 * The q and k part of the backbone's qkvOut: token lanes (u16 at lane + 8 r, minus unbias) of rows r < 2 dim into
 * yo i32, rotated by RoPE with the position's table row rt (cos, sin pairs), each (part, head)'s max |value| into
 * amax u32[2 heads]. Reads lanes and the table, overwrites only its outputs: a "not taken" after some heads is safe
 * (the caller's pointer form writes them all again).
 */
export function qkvRopeIx(lane: usize, unbias: i32, yo: usize, rt: usize, dim: i32, heads: i32, amax: usize): bool {
  if (!inRange(rt) || !inRange(amax) || <u32>dim > IX_COUNT) return false;
  const hd = dim / heads;
  const half = hd / 2;
  for (let part = 0; part < 2; part++) {
    for (let h = 0; h < heads; h++) {
      const r = part * dim + h * hd;
      const la = lane + <usize>(r << 3),
        lb = la + <usize>(half << 3),
        pa = yo + <usize>(r << 2),
        pb = pa + <usize>(half << 2);
      if (!inRange(la) || !inRange(lb) || !inRange(pa) || !inRange(pb)) return false;
      let am: u32 = 0;
      for (let j = 0; j < half; j++) {
        const a = <i32>load<u16>(la + <usize>(j << 3)) - unbias,
          b = <i32>load<u16>(lb + <usize>(j << 3)) - unbias;
        const co = load<i32>(rt + <usize>(j << 3)),
          si = load<i32>(rt + <usize>(j << 3), 4);
        const x = (a * co - b * si + 2048) >> 12,
          y = (a * si + b * co + 2048) >> 12;
        store<i32>(pa + <usize>(j << 2), x);
        store<i32>(pb + <usize>(j << 2), y);
        am = max(am, max(absU32(x), absU32(y)));
      }
      store<u32>(amax + <usize>((part * heads + h) << 2), am);
    }
  }
  return true;
}

/**
 * attendScores (attention.ts): the same steps in the same order, every loop indexed. Its ranges are the backbone's
 * (n, P <= 16, dim <= 64, 1..4 heads): gcc bounds every product of them, so each address is proven.
 */
export function attendScoresIx(
  qkv: usize,
  n: i32,
  dim: i32,
  heads: i32,
  mult: usize,
  qk8: usize,
  sc: usize,
  out: usize,
  scoreFx: i32,
  P: i32,
  exp2: usize,
): bool {
  if (!inRange(qkv) || !inRange(mult) || !inRange(qk8) || !inRange(sc) || !inRange(out) || !inRange(exp2)) return false;
  if (<u32>n > 16 || <u32>P > 16 || <u32>dim > 64 || heads < 1 || heads > 4) return false;
  const hd = dim / heads;
  const stride = 12 * dim; // bytes from one token's v to the next
  const fxB = qk8 + <usize>(P * 2 * dim); // i32[P][2][heads]
  const pB = sc + <usize>(P << 2);
  for (let q = 0; q < n; q++) {
    const t = (n - 1 - q) & 15; // last query first (attendScores); the mask changes nothing but bounds t for gcc
    let emin = 0x7fff;
    let amax: u32 = 0;
    for (let j = 0; j <= t; j++) emin = min(emin, load<i32>(mult + <usize>(j << 2)) >> 16);
    for (let h = 0; h < heads; h++) {
      const qo = qk8 + <usize>(t * 2 * dim + h * hd);
      const fq = fxMul(load<i32>(fxB + <usize>((t * 2 * heads + h) << 2)), scoreFx);
      let zmax = 0;
      for (let j = 0; j <= t; j++) {
        const ko = qk8 + <usize>(j * 2 * dim + dim + h * hd);
        // dotI8 (attention.ts): four products a pass, then the rest
        let dot = 0;
        const q4 = hd >> 2;
        for (let i = 0; i < q4; i++) {
          const qi = qo + <usize>(i << 2),
            ki = ko + <usize>(i << 2);
          dot +=
            <i32>load<i8>(qi) * <i32>load<i8>(ki) +
            <i32>load<i8>(qi, 1) * <i32>load<i8>(ki, 1) +
            <i32>load<i8>(qi, 2) * <i32>load<i8>(ki, 2) +
            <i32>load<i8>(qi, 3) * <i32>load<i8>(ki, 3);
        }
        for (let i = q4 << 2; i < hd; i++) dot += <i32>load<i8>(qo + <usize>i) * <i32>load<i8>(ko + <usize>i);
        const z = scoreLog2(dot, fxMul(fq, load<i32>(fxB + <usize>(((j * 2 + 1) * heads + h) << 2))));
        store<i32>(sc + <usize>(j << 2), z);
        zmax = j == 0 ? z : max(zmax, z);
      }
      // softmaxExp2 (fixed.ts)
      let sum: u32 = 0;
      for (let j = 0; j <= t; j++) {
        const d = zmax - load<i32>(sc + <usize>(j << 2));
        const e: u32 = d >= 15 << 8 ? 0 : u32(load<u16>(exp2 + <usize>((d & 255) << 1))) >> u32(d >> 8);
        store<u32>(pB + <usize>(j << 2), e);
        sum += e;
      }
      const half = sum >> 1;
      for (let j = 0; j <= t; j++) {
        const p = (load<u32>(pB + <usize>(j << 2)) << 12) + half;
        // w_j = round(p_j m_j 2^-(e_j - emin + 12)): p_j m_j < 2^27
        const fj = load<i32>(mult + <usize>(j << 2));
        const s = min((fj >> 16) - emin + 12, 31);
        store<i32>(pB + <usize>(j << 2), (<i32>(p / sum) * (fj & 0xffff) + (1 << (s - 1))) >> s);
      }
      const vo = qkv + <usize>((2 * dim + h * hd) << 2); // v of head h, token 0
      const oo = out + <usize>((t * dim + h * hd) << 2);
      // weightedV (attention.ts): four outputs a pass, each weight loaded once for the four, then the rest
      const o4 = hd >> 2;
      for (let i = 0; i < o4; i++) {
        const vi = vo + <usize>(i << 4);
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        for (let j = 0; j <= t; j++) {
          const w = load<i32>(pB + <usize>(j << 2));
          const v = vi + <usize>(j * stride);
          a0 += w * load<i32>(v);
          a1 += w * load<i32>(v, 4);
          a2 += w * load<i32>(v, 8);
          a3 += w * load<i32>(v, 12);
        }
        const o = oo + <usize>(i << 4);
        store<i32>(o, a0);
        store<i32>(o, a1, 4);
        store<i32>(o, a2, 8);
        store<i32>(o, a3, 12);
        amax = max(max(amax, max(absU32(a0), absU32(a1))), max(absU32(a2), absU32(a3)));
      }
      for (let i = o4 << 2; i < hd; i++) {
        let a = 0;
        for (let j = 0; j <= t; j++)
          a += load<i32>(pB + <usize>(j << 2)) * load<i32>(vo + <usize>(j * stride + (i << 2)));
        store<i32>(oo + <usize>(i << 2), a);
        amax = max(amax, absU32(a));
      }
    }
    store<u32>(sc + <usize>((P + t) << 2), amax);
    store<i32>(mult + <usize>(t << 2), ((emin + 14) << 16) | (1 << 14));
  }
  return true;
}
