// The hot loops of every kind's forward and of the RL head's layer again, in indexed form, for the ahead-of-time
// build (docs/aot.md "The AOT module").
//
// wasm2c checks every memory access; the AOT build's accessors drop a check when gcc can prove the address below
// BITRL_FAST_LIMIT (the proven memory less 8 KiB: 120 KiB on qemu-m4; scripts/aot-gen.mjs). gcc proves it from value
// ranges alone, and only for an address made of a base with a known range and a counter stepping by one. So each
// kernel here tests its bases (<= IX_BASE) and counts once, then addresses every element as base + (j << k): inside,
// no check is left. Out of that range it returns "not taken" (false, or a value no result can be), having written
// nothing its pointer form does not write again, and the caller runs the pointer form: the same integers and floats
// either way (golden cases below and above 96 KiB and backbone bytes in V8, the AOT build's board tests).
//
// Only build/agent.aot.wasm has them: it is compiled with `--use BITRL_INDEXED=1` (scripts/build.mjs), and each
// caller asks `indexedForms()`, which the compiler settles, so build/agent.wasm (V8, wasm3, WAMR) is byte for byte
// what it is without this file. In wasm3 the indexed form would cost more than the pointer form (each index
// shift and add is an interpreted operation), and its code would sit in wasm3's compiled-code heap.
import {
  absU32,
  featureScale,
  fxMul,
  fxShift,
  quantBy,
  rmsInverse,
  roundQ,
  rowsOutLoop,
  saturate,
  scoreLog2,
  XQ,
} from "./fixed";
import { RMSNORM_EPS } from "./act";
import { dotWords, putF32 } from "./plain";
import { expf } from "../model/mathf";

/** Whether this module has the indexed forms (build/agent.aot.wasm): a constant the compiler settles, so in
 *  build/agent.wasm a call site's `if (indexedForms())` compiles to nothing. */
// @ts-ignore: decorator
@inline export function indexedForms(): bool {
  // @ts-ignore: a constant given on the command line (scripts/build.mjs)
  return isDefined(BITRL_INDEXED);
}

/** Largest base the indexed loops take: every address they form stays below 96 KiB + IX_COUNT * 8 + 8 KiB. */
const IX_BASE: usize = 96 << 10;
/** Largest element count they take. */
const IX_COUNT: u32 = 1024;
/** The split-table row loops' (generated/small-fast.ts): rows and their stride in bytes (row r at r * stride). */
export const IX_ROWS: u32 = 256;
export const IX_STRIDE: u32 = 32;

/** Whether p is a base the indexed loops take. */
// @ts-ignore: decorator
@inline export function ixBase(p: usize): bool {
  return p <= IX_BASE;
}

/** quantBy's loops (fixed.ts): q[j] = roundQ(x[j] (* gains[j])) as i8, or as t3 lanes (u16 at stride 8). */
export function quantLoopsIx(x: usize, n: i32, gains: usize, out: usize, lanes: bool, sh: i32, r: i32, c: i32): bool {
  if (!ixBase(x) || !ixBase(gains) || !ixBase(out) || <u32>n > IX_COUNT) return false;
  if (lanes) {
    if (gains)
      for (let j = 0; j < n; j++) {
        const h = load<i32>(x + <usize>(j << 2)) * load<i32>(gains + <usize>(j << 2));
        store<u16>(out + <usize>(j << 3), roundQ(h, sh, r, c));
      }
    else {
      // two values a pass (pair j), an odd n's last one after
      const pairs = n >> 1;
      for (let j = 0; j < pairs; j++) {
        const xp = x + <usize>(j << 3),
          op = out + <usize>(j << 4);
        const x0 = load<i32>(xp),
          x1 = load<i32>(xp, 4);
        store<u16>(op, roundQ(x0, sh, r, c));
        store<u16>(op, roundQ(x1, sh, r, c), 8);
      }
      if (n & 1) store<u16>(out + <usize>((n - 1) << 3), roundQ(load<i32>(x + <usize>((n - 1) << 2)), sh, r, c));
    }
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
  if (!ixBase(x) || !ixBase(gains) || <u32>n > IX_COUNT) return -1;
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
  if (!ixBase(x) || !ixBase(gains) || !ixBase(out) || <u32>n > IX_COUNT) return false;
  let ss: i64 = 0;
  for (let j = 0; j < n; j++) {
    const v = load<i32>(x + <usize>(j << 2));
    ss += <i64>v * <i64>v;
  }
  const scale = featureScale(rmsInverse(ss, n), gs);
  for (let j = 0; j < n; j++)
    store<f32>(
      out + <usize>(j << 2),
      <f32>(load<i32>(x + <usize>(j << 2)) * load<i32>(gains + <usize>(j << 2))) * scale,
    );
  return true;
}

/** rescaleAdd (fixed.ts): y[j] += round((lane j - unbias) f), saturated. */
export function rescaleAddIx(acc: usize, unbias: i32, rows: i32, f: i32, y: usize): bool {
  if (!ixBase(acc) || !ixBase(y) || <u32>rows > IX_COUNT) return false;
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
  if (!ixBase(acc) || !ixBase(y) || <u32>rows > IX_COUNT) return 0xffffffff;
  let amax: u32 = 0;
  // two rows a pass (pair j), an odd count's last row after
  const pairs = rows >> 1;
  for (let j = 0; j < pairs; j++) {
    const ap = acc + <usize>(j << 4),
      yp = y + <usize>(j << 3);
    const v0 = max(<i32>load<u16>(ap) - unbias, 0),
      v1 = max(<i32>load<u16>(ap, 8) - unbias, 0);
    const sq0 = v0 * v0,
      sq1 = v1 * v1;
    store<i32>(yp, sq0);
    store<i32>(yp, sq1, 4);
    amax = max(amax, max(<u32>sq0, <u32>sq1));
  }
  if (rows & 1) {
    const v = max(<i32>load<u16>(acc + <usize>((rows - 1) << 3)) - unbias, 0);
    const sq = v * v;
    store<i32>(y + <usize>((rows - 1) << 2), sq);
    amax = max(amax, <u32>sq);
  }
  return amax;
}

/** storeRaw (fixed.ts). */
export function storeRawIx(acc: usize, unbias: i32, rows: i32, y: usize, relu2: bool): bool {
  if (!ixBase(acc) || !ixBase(y) || <u32>rows > IX_COUNT) return false;
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
  if (!ixBase(rt) || !ixBase(amax) || <u32>dim > IX_COUNT) return false;
  const hd = dim / heads;
  const half = hd / 2;
  for (let part = 0; part < 2; part++) {
    for (let h = 0; h < heads; h++) {
      const r = part * dim + h * hd;
      const la = lane + <usize>(r << 3),
        lb = la + <usize>(half << 3),
        pa = yo + <usize>(r << 2),
        pb = pa + <usize>(half << 2);
      if (!ixBase(la) || !ixBase(lb) || !ixBase(pa) || !ixBase(pb)) return false;
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
  if (!ixBase(qkv) || !ixBase(mult) || !ixBase(qk8) || !ixBase(sc) || !ixBase(out) || !ixBase(exp2)) return false;
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

/** affineF32 (plain.ts): y[r] = b[r] + w[r] . x (f32, column order), two rows a pass, ReLU when relu != 0. Each row's
 *  base is tested as it comes: y is apart from w, b and x, so a "not taken" after some rows is safe. */
export function affineF32Ix(w: usize, b: usize, x: usize, y: usize, rows: i32, cols: i32, relu: i32): bool {
  if (!ixBase(b) || !ixBase(x) || !ixBase(y) || <u32>rows > IX_COUNT || <u32>cols > IX_COUNT) return false;
  const rowBytes = (<usize>cols) << 2;
  // a pair counter stepping by one: gcc bounds no counter that steps by two
  const pairs = rows >> 1;
  for (let p = 0; p < pairs; p++) {
    const r = p << 1;
    const w0 = w + <usize>r * rowBytes,
      w1 = w0 + rowBytes;
    if (!ixBase(w0) || !ixBase(w1)) return false;
    let s = load<f32>(b + <usize>(r << 2)),
      t = load<f32>(b + <usize>(r << 2), 4);
    for (let c = 0; c < cols; c++) {
      const v = load<f32>(x + <usize>(c << 2));
      s += load<f32>(w0 + <usize>(c << 2)) * v;
      t += load<f32>(w1 + <usize>(c << 2)) * v;
    }
    if (relu != 0) {
      if (!(s > 0)) s = 0;
      if (!(t > 0)) t = 0;
    }
    store<f32>(y + <usize>(r << 2), s);
    store<f32>(y + <usize>(r << 2), t, 4);
  }
  if (rows & 1) {
    const r = rows - 1;
    const w0 = w + <usize>r * rowBytes;
    if (!ixBase(w0)) return false;
    let s = load<f32>(b + <usize>(r << 2));
    for (let c = 0; c < cols; c++) s += load<f32>(w0 + <usize>(c << 2)) * load<f32>(x + <usize>(c << 2));
    if (relu != 0 && !(s > 0)) s = 0;
    store<f32>(y + <usize>(r << 2), s);
  }
  return true;
}

// ---- The baseline kinds' hot loops (the same engineering for every kind: fp32's and int8's projections, fp32's
// norm and attention, int8's per-row outputs), behind the same test. A projection's row r starts at w + r * rowBytes:
// its range is tested once for the last row, and min() with IX_BASE, which then changes nothing, hands gcc the bound
// each row's base keeps. ----

/** Largest token stride (bytes) the projections take. */
const IX_TOKEN_STRIDE: usize = 1024;

// @ts-ignore: decorator
@inline function rowBase(w: usize, r: i32, rowBytes: usize): usize {
  return min(w + <usize>r * rowBytes, IX_BASE);
}

/** matvecF32Tokens (plain.ts) for n a multiple of 4 (<= 16), four tokens by two rows a pass (matvecF32Quad's sums,
 *  each in column order), each row's sum put by mode (F32_STORE, F32_ADD, F32_RELU2). */
export function matvecF32TokensIx(
  w: usize,
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  rows: i32,
  cols: i32,
  n: i32,
  mode: i32,
): bool {
  const xb = (<usize>xs) << 2,
    yb = (<usize>ys) << 2,
    rowBytes = (<usize>cols) << 2;
  // one test of every range, its parts or-ed as integers: a chain of selects would hide them from gcc
  const outside =
    (<i32>((n & 3) != 0)) |
    (<i32>(<u32>n > 16)) |
    (<i32>(<u32>rows > IX_COUNT)) |
    (<i32>(<u32>cols > IX_COUNT)) |
    (<i32>(<u32>xs > IX_TOKEN_STRIDE / 4)) | // the parameters, not xb and yb: gcc refolds the shifts
    (<i32>(<u32>ys > IX_TOKEN_STRIDE / 4)) |
    (<i32>!ixBase(x)) |
    (<i32>!ixBase(y));
  if (outside) return false;
  if (<u64>w + <u64>rows * <u64>rowBytes > <u64>IX_BASE) return false;
  for (let q = 0; q < n >> 2; q++) {
    const x0 = x + <usize>(q & 3) * (xb << 2),
      x1 = x0 + xb,
      x2 = x1 + xb,
      x3 = x2 + xb;
    const y0 = y + <usize>(q & 3) * (yb << 2);
    // a pair counter stepping by one: gcc bounds no counter that steps by two
    const pairs = rows >> 1;
    for (let p = 0; p < pairs; p++) {
      const r = p << 1;
      const wa = rowBase(w, r, rowBytes),
        wb = wa + rowBytes;
      let a0: f32 = 0,
        a1: f32 = 0,
        a2: f32 = 0,
        a3: f32 = 0,
        b0: f32 = 0,
        b1: f32 = 0,
        b2: f32 = 0,
        b3: f32 = 0;
      for (let c = 0; c < cols; c++) {
        const o = <usize>(c << 2);
        const va = load<f32>(wa + o),
          vb = load<f32>(wb + o);
        const u0 = load<f32>(x0 + o),
          u1 = load<f32>(x1 + o),
          u2 = load<f32>(x2 + o),
          u3 = load<f32>(x3 + o);
        a0 += va * u0;
        a1 += va * u1;
        a2 += va * u2;
        a3 += va * u3;
        b0 += vb * u0;
        b1 += vb * u1;
        b2 += vb * u2;
        b3 += vb * u3;
      }
      const o = y0 + <usize>(r << 2);
      putF32(o, a0, mode);
      putF32(o + 4, b0, mode);
      putF32(o + yb, a1, mode);
      putF32(o + yb + 4, b1, mode);
      putF32(o + 2 * yb, a2, mode);
      putF32(o + 2 * yb + 4, b2, mode);
      putF32(o + 3 * yb, a3, mode);
      putF32(o + 3 * yb + 4, b3, mode);
    }
    if (rows & 1) {
      const r = rows - 1;
      const wa = rowBase(w, r, rowBytes);
      let a0: f32 = 0,
        a1: f32 = 0,
        a2: f32 = 0,
        a3: f32 = 0;
      for (let c = 0; c < cols; c++) {
        const o = <usize>(c << 2);
        const va = load<f32>(wa + o);
        a0 += va * load<f32>(x0 + o);
        a1 += va * load<f32>(x1 + o);
        a2 += va * load<f32>(x2 + o);
        a3 += va * load<f32>(x3 + o);
      }
      const o = y0 + <usize>(r << 2);
      putF32(o, a0, mode);
      putF32(o + yb, a1, mode);
      putF32(o + 2 * yb, a2, mode);
      putF32(o + 3 * yb, a3, mode);
    }
  }
  return true;
}

/** rmsnormF32 (act.ts). */
export function rmsnormF32Ix(x: usize, weight: usize, out: usize, n: i32): bool {
  if (!ixBase(x) || !ixBase(weight) || !ixBase(out) || <u32>n > IX_COUNT) return false;
  let ss: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + <usize>(i << 2));
    ss += v * v;
  }
  const inv: f32 = <f32>1 / Mathf.sqrt(ss / <f32>n + RMSNORM_EPS);
  for (let i = 0; i < n; i++) {
    const p = <usize>(i << 2);
    store<f32>(out + p, load<f32>(x + p) * inv * load<f32>(weight + p));
  }
  return true;
}

/** ropeF32 (model/attention-f32.ts): q then k heads of each token, in place. Tested before any write. */
export function ropeF32Ix(qkv: usize, n: i32, dim: i32, heads: i32, rope: usize): bool {
  if (!ixBase(qkv) || !ixBase(rope) || <u32>n > 16 || <u32>dim > 64 || heads < 1 || heads > 4) return false;
  const hd = dim / heads;
  const half = hd / 2;
  for (let t = 0; t < n; t++) {
    const rt = rope + <usize>((t * hd) << 2);
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < heads; h++) {
        const pa = qkv + <usize>((t * 3 * dim + part * dim + h * hd) << 2),
          pb = pa + <usize>(half << 2);
        for (let j = 0; j < half; j++) {
          const co = load<f32>(rt + <usize>(j << 3)),
            si = load<f32>(rt + <usize>(j << 3), 4);
          const a = load<f32>(pa + <usize>(j << 2)),
            b = load<f32>(pb + <usize>(j << 2));
          store<f32>(pa + <usize>(j << 2), a * co - b * si);
          store<f32>(pb + <usize>(j << 2), a * si + b * co);
        }
      }
    }
  }
  return true;
}

/** attendF32 (model/attention-f32.ts): causal attention of n tokens over qkv f32[n][3 dim] into out, scores in sc. */
export function attendF32Ix(qkv: usize, n: i32, dim: i32, heads: i32, sc: usize, out: usize): bool {
  if (!ixBase(qkv) || !ixBase(sc) || !ixBase(out) || <u32>n > 16 || <u32>dim > 64 || heads < 1 || heads > 4)
    return false;
  const hd = dim / heads;
  const stride = 3 * dim; // floats from one token's row to the next
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < heads; h++) {
      const q = qkv + <usize>((t * stride + h * hd) << 2),
        k = qkv + <usize>((dim + h * hd) << 2),
        v = qkv + <usize>((2 * dim + h * hd) << 2);
      let mx: f32 = -Infinity;
      for (let j = 0; j <= t; j++) {
        const kj = k + <usize>((j * stride) << 2);
        let dot: f32 = 0;
        for (let i = 0; i < hd; i++) dot += load<f32>(q + <usize>(i << 2)) * load<f32>(kj + <usize>(i << 2));
        const s = dot * scale;
        store<f32>(sc + <usize>(j << 2), s);
        if (s > mx) mx = s;
      }
      let sum: f32 = 0;
      for (let j = 0; j <= t; j++) {
        const e = expf(load<f32>(sc + <usize>(j << 2)) - mx);
        store<f32>(sc + <usize>(j << 2), e);
        sum += e;
      }
      for (let j = 0; j <= t; j++) store<f32>(sc + <usize>(j << 2), load<f32>(sc + <usize>(j << 2)) / sum);
      const o = out + <usize>((t * dim + h * hd) << 2);
      for (let i = 0; i < hd; i++) {
        let acc: f32 = 0;
        for (let j = 0; j <= t; j++)
          acc += load<f32>(sc + <usize>(j << 2)) * load<f32>(v + <usize>((j * stride + i) << 2));
        store<f32>(o + <usize>(i << 2), acc);
      }
    }
  }
  return true;
}

/** matvecI8Tokens (plain.ts) for n a multiple of 4 (<= 16): matvecI8Quad's sums, four columns a step. */
export function matvecI8TokensIx(
  w: usize,
  x: usize,
  xs: i32,
  acc: usize,
  accs: i32,
  rows: i32,
  cols: i32,
  n: i32,
): bool {
  const xb = <usize>xs,
    ab = (<usize>accs) << 2,
    rowBytes = <usize>cols;
  const outside =
    (<i32>((n & 3) != 0)) |
    (<i32>(<u32>n > 16)) |
    (<i32>(<u32>rows > IX_COUNT)) |
    (<i32>(<u32>cols > IX_COUNT)) |
    (<i32>(<u32>xs > IX_TOKEN_STRIDE)) | // the parameters, not ab: gcc refolds the shifts
    (<i32>(<u32>accs > IX_TOKEN_STRIDE / 4)) |
    (<i32>!ixBase(x)) |
    (<i32>!ixBase(acc));
  if (outside) return false;
  if (<u64>w + <u64>rows * <u64>rowBytes > <u64>IX_BASE) return false;
  const quads = cols >> 2;
  for (let q = 0; q < n >> 2; q++) {
    const x0 = x + <usize>(q & 3) * (xb << 2),
      x1 = x0 + xb,
      x2 = x1 + xb,
      x3 = x2 + xb;
    const o0 = acc + <usize>q * (ab << 2);
    // a pair counter stepping by one: gcc bounds no counter that steps by two
    const pairs = rows >> 1;
    for (let p = 0; p < pairs; p++) {
      const r = p << 1;
      const wa = rowBase(w, r, rowBytes),
        wb = wa + rowBytes;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0,
        b3 = 0;
      for (let c4 = 0; c4 < quads; c4++) {
        const o = <usize>(c4 << 2);
        const p = load<u32>(wa + o),
          s = load<u32>(wb + o);
        let u = load<u32>(x0 + o);
        a0 += dotWords(p, u);
        b0 += dotWords(s, u);
        u = load<u32>(x1 + o);
        a1 += dotWords(p, u);
        b1 += dotWords(s, u);
        u = load<u32>(x2 + o);
        a2 += dotWords(p, u);
        b2 += dotWords(s, u);
        u = load<u32>(x3 + o);
        a3 += dotWords(p, u);
        b3 += dotWords(s, u);
      }
      for (let c = quads << 2; c < cols; c++) {
        const p = <i32>load<i8>(wa + <usize>c),
          s = <i32>load<i8>(wb + <usize>c);
        const u0 = <i32>load<i8>(x0 + <usize>c),
          u1 = <i32>load<i8>(x1 + <usize>c),
          u2 = <i32>load<i8>(x2 + <usize>c),
          u3 = <i32>load<i8>(x3 + <usize>c);
        a0 += p * u0;
        a1 += p * u1;
        a2 += p * u2;
        a3 += p * u3;
        b0 += s * u0;
        b1 += s * u1;
        b2 += s * u2;
        b3 += s * u3;
      }
      const oo = o0 + <usize>(r << 2);
      store<i32>(oo, a0);
      store<i32>(oo, b0, 4);
      store<i32>(oo + ab, a1);
      store<i32>(oo + ab, b1, 4);
      store<i32>(oo + 2 * ab, a2);
      store<i32>(oo + 2 * ab, b2, 4);
      store<i32>(oo + 3 * ab, a3);
      store<i32>(oo + 3 * ab, b3, 4);
    }
    if (rows & 1) {
      const r = rows - 1;
      const wa = rowBase(w, r, rowBytes);
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let c = 0; c < cols; c++) {
        const p = <i32>load<i8>(wa + <usize>c);
        a0 += p * <i32>load<i8>(x0 + <usize>c);
        a1 += p * <i32>load<i8>(x1 + <usize>c);
        a2 += p * <i32>load<i8>(x2 + <usize>c);
        a3 += p * <i32>load<i8>(x3 + <usize>c);
      }
      const oo = o0 + <usize>(r << 2);
      store<i32>(oo, a0);
      store<i32>(oo + ab, a1);
      store<i32>(oo + 2 * ab, a2);
      store<i32>(oo + 3 * ab, a3);
    }
  }
  return true;
}

/** rowsOutI32 (fixed.ts): each row's output by mode, with its own multiplier (a times scales[r], or f1). */
export function rowsOutI32Ix(
  acc: usize,
  step: i32,
  unbias: i32,
  rows: i32,
  a: i32,
  f1: i32,
  scales: usize,
  y: usize,
  mode: i32,
): bool {
  if (!ixBase(acc) || !ixBase(scales) || !ixBase(y) || <u32>rows > IX_COUNT || (step != 4 && step != 8)) return false;
  rowsOutLoop(acc, step, unbias, rows, a, f1, scales, y, mode); // already indexed: the test is what it lacked
  return true;
}
