// Gives wasm3's f32 values a register of their own type, so that on a single-precision FPU (Cortex-M4F) an f32
// operation is one FPU instruction instead of two library calls.
//
// wasm3 keeps one floating-point register, fp0, an f64, for both float types: every f32 operation converts fp0 to
// f32 and its result back to f64. On a core whose FPU has no double precision (the Cortex-M4F of the nRF52840 and
// STM32F446) each of those conversions is a call into the soft-float library (__aeabi_d2f, __aeabi_f2d): an f32
// multiply cost ~90 instructions, an i32 add 9. With this edit the operations take a second register argument,
// fp1, an f32 (s2 on the Arm hard-float ABI, next to fp0's d0), and every operation on an f32 value in the register
// (arithmetic, compares, loads and stores, conversions to and from f32, reinterpretation, select, globals, slot
// moves) uses fp1; f64 values keep fp0. wasm3's compiler already tracks the register's type per operation, so the
// operations it emits and their order are unchanged; f32 arithmetic was already done in f32 (the operands were
// converted first), so every result is the same bits (golden vectors, byte-for-byte features and episodes). NaN
// payloads now pass through the register unchanged (the wasm behaviour; the f64 round trip could change them).
// Applied by scripts/setup-toolchain.mjs after wasm3-op-signature.mjs; each edit must match exactly where it is
// expected, or the install stops. docs/firmware.md "wasm3's f32 register".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  // the signature: fp1 after fp0, in every operation's parameters, every tail call's arguments and every entry call
  ["m3_exec_defs.h", /(define d_m3OpSig\s+d_m3ExpOpSig\s+)\(f64 _fp0\)/g, "$1(f64 _fp0, f32 _fp1)", 1],
  ["m3_exec_defs.h", /(define d_m3OpArgs\s+d_m3ExpOpArgs\s+)\(_fp0\)/g, "$1(_fp0, _fp1)", 1],
  ["m3_exec_defs.h", /(define d_m3OpAllArgs\s+d_m3ExpOpAllArgs\s+)\(_fp0\)/g, "$1(_fp0, _fp1)", 1],
  ["m3_exec_defs.h", /(define d_m3OpDefaultArgs\s+d_m3ExpOpDefaultArgs\s+)\(0\.\)/g, "$1(0., 0.f)", 1],
  [
    "m3_exec_defs.h",
    /(define d_m3ClearRegisters\s+d_m3ExpClearRegisters\s+)\(_fp0 = 0\.;\)/g,
    "$1(_fp0 = 0.; _fp1 = 0.f;)",
    1,
  ],
  // which register holds a float type, for the macros that take the type as a parameter
  [
    "m3_exec_defs.h",
    /(#\s*define d_m3OpSig\s+d_m3ExpOpSig)/g,
    "#   define d_m3FpReg_f32            _fp1\n#   define d_m3FpReg_f64            _fp0\n$1",
    1,
  ],
  // arithmetic, compares and unary operations of either float type
  ["m3_exec.h", /(d_m3CommutativeOpMacro\s+\()_fp0, _fp0, TYPE,/g, "$1d_m3FpReg_##TYPE, d_m3FpReg_##TYPE, TYPE,", 1],
  ["m3_exec.h", /(d_m3OpMacro\s+\()_fp0, _fp0, TYPE,/g, "$1d_m3FpReg_##TYPE, d_m3FpReg_##TYPE, TYPE,", 1],
  ["m3_exec.h", /(d_m3(?:OpMacro|CommutativeOpMacro)\s+\(_r0, )_fp0, TYPE,/g, "$1d_m3FpReg_##TYPE, TYPE,", 2],
  ["m3_exec.h", /(d_m3UnaryMacro\()_fp0, _fp0, TYPE,/g, "$1d_m3FpReg_##TYPE, d_m3FpReg_##TYPE, TYPE,", 1],
  // truncations from f32, demote and promote, conversions to f32, reinterpretation
  ["m3_exec.h", /(d_m3TruncMacro\(_r0, )_fp0(, \w+, \w+, f32,)/g, "$1_fp1$2", 8],
  [
    "m3_exec.h",
    /d_m3TypeModifyOp \(_fp0, _fp0, f32, Demote, f64\)/g,
    "d_m3TypeModifyOp (_fp1, _fp0, f32, Demote, f64)",
    1,
  ],
  [
    "m3_exec.h",
    /d_m3TypeModifyOp \(_fp0, _fp0, f64, Promote, f32\)/g,
    "d_m3TypeModifyOp (_fp0, _fp1, f64, Promote, f32)",
    1,
  ],
  ["m3_exec.h", /d_m3TypeConvertOp \(_fp0(, _r0, f32,)/g, "d_m3TypeConvertOp (_fp1$1", 4],
  ["m3_exec.h", /d_m3ReinterpretOp \(_r0, i32, _fp0, f32\)/g, "d_m3ReinterpretOp (_r0, i32, _fp1, f32)", 1],
  ["m3_exec.h", /d_m3ReinterpretOp \(_fp0, f32, _r0, i32\)/g, "d_m3ReinterpretOp (_fp1, f32, _r0, i32)", 1],
  // register <-> slot moves, select, globals, loads and stores
  ["m3_exec.h", /d_m3SetRegisterSetSlot \(f32, _fp0\)/g, "d_m3SetRegisterSetSlot (f32, _fp1)", 1],
  ["m3_exec.h", /d_m3Select_f \(f32, _fp0,/g, "d_m3Select_f (f32, _fp1,", 2],
  ["m3_exec.h", /(f32 \* global = immediate \(f32 \*\);\s+\* global = )_fp0;/g, "$1_fp1;", 1],
  ["m3_exec.h", /(define d_m3Load_f\(DEST_TYPE, SRC_TYPE\) d_m3Load\()_fp0,/g, "$1d_m3FpReg_##DEST_TYPE,", 1],
  [
    "m3_exec.h",
    /(define d_m3Store_f\(SRC_TYPE, DEST_TYPE\) d_m3Store\()_fp0(, SRC_TYPE, DEST_TYPE\) d_m3StoreFp \()_fp0,/g,
    "$1d_m3FpReg_##SRC_TYPE$2d_m3FpReg_##SRC_TYPE,",
    1,
  ],
];

/** Applies the f32 register to the wasm3 sources in `dir` (after reorderOpSignature), in place; throws naming the
 *  edit that did not fit. */
export function addF32Register(dir) {
  applyEdits(dir, EDITS, "f32-register");
}
