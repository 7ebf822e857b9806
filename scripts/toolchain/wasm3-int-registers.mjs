// Gives wasm3's i32 and i64 values a register each, so that on a 32-bit core an i32 operation works on one word
// and leaves a scratch register free.
//
// After the op-signature edit wasm3's operations take (r0, pc, sp, mem, fp0, fp1) with r0 its one integer register,
// an i64 for both integer types: on 32-bit Arm it fills r0:r1, pc and sp r2 and r3, so gcc has only ip to spare and
// most operations push and pop two registers, and every i32 result is sign-extended into r1 (op_SetSlot_i32: 7
// instructions, 4 of them that). With this edit r0 is an i32 and i64 values get their own register, r64, placed
// after sp: (r0, pc, sp, r64, mem, fp0, fp1). On Arm r0, pc and sp take r0..r2, the 64-bit r64 needs an even pair
// and so goes to the stack with mem, and r3 is free; i64 operations read and write r64 there. wasm3's compiler
// already emits a type-specific operation for every use of the register (one value at a time: i32 or i64), so the
// operations and their order are unchanged, and every operation on an i32 value uses r0, on an i64 value r64;
// those that take one type and give the other (wrap, extend, i64 compares and eqz, i64 select by an i32 condition,
// i64 loads and stores by an i32 address) read one and write the other. Every result is the same bits (golden
// vectors, byte-for-byte features and episodes). Applied by scripts/setup-toolchain.mjs after wasm3-bounds32.mjs;
// each edit must match exactly where it is expected, or the install stops. docs/firmware.md "wasm3's integer
// registers".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  // the signature, its argument lists, the register clearing, and which register each integer type uses
  [
    "m3_exec_defs.h",
    /(define d_m3BaseOpSig\s+)m3reg_t _r0, pc_t _pc, m3stack_t _sp, M3MemoryHeader \* _mem/g,
    "$1i32 _r0, pc_t _pc, m3stack_t _sp, i64 _r64, M3MemoryHeader * _mem",
    1,
  ],
  ["m3_exec_defs.h", /(define d_m3BaseOpArgs\s+)_sp, _mem/g, "$1_sp, _r64, _mem", 1],
  ["m3_exec_defs.h", /(define d_m3BaseOpAllArgs\s+)_r0, _pc, _sp, _mem/g, "$1_r0, _pc, _sp, _r64, _mem", 1],
  [
    "m3_exec_defs.h",
    /(define d_m3BaseClearRegisters\s+)_r0 = 0;/g,
    "$1_r0 = 0; _r64 = 0;\n# define d_m3IntReg_i32                 _r0\n# define d_m3IntReg_u32                 _r0\n# define d_m3IntReg_i64                 _r64\n# define d_m3IntReg_u64                 _r64",
    1,
  ],
  // entry calls: r64 starts at 0 like r0 (its argument sits before mem)
  ["m3_env.c", /Call \(0, ([^;]*?), ([^,;]*?) d_m3OpDefaultArgs\)/g, "Call (0, $1, 0, $2 d_m3OpDefaultArgs)", 5],
  ["m3_exec.h", /Call \(0, ([^;]*?), ([^,;]*?) d_m3OpDefaultArgs\)/g, "Call (0, $1, 0, $2 d_m3OpDefaultArgs)", 2],
  // binary and unary integer operations: the register of their type
  [
    "m3_exec.h",
    /(define d_m3(?:CommutativeOpMacro|OpMacro)_i\(TYPE, NAME, MACRO, \.\.\.\)\s+d_m3(?:CommutativeOpMacro|OpMacro)\s+\()\s*_r0,\s+_r0,/g,
    "$1d_m3IntReg_##TYPE, d_m3IntReg_##TYPE,",
    2,
  ],
  [
    "m3_exec.h",
    /(define d_m3UnaryOp_i\(TYPE, NAME, OPERATION\)\s+d_m3UnaryMacro\()\s*_r0,\s+_r0,/g,
    "$1d_m3IntReg_##TYPE, d_m3IntReg_##TYPE,",
    1,
  ],
  // i64 compares and eqz: an i32 result from i64 operands
  [
    "m3_exec.h",
    /d_m3CommutativeOp_i \(i64, (Equal|NotEqual),\s*(==|!=)\)/g,
    "d_m3CommutativeOpMacro (_r0, _r64, i64, $1, M3_OPER, $2)",
    2,
  ],
  [
    "m3_exec.h",
    /d_m3Op_i \((i64|u64), (LessThan|GreaterThan|LessThanOrEqual|GreaterThanOrEqual),\s*(<=|>=|<|>)\s*\)/g,
    "d_m3OpMacro (_r0, _r64, $1, $2, M3_OPER, $3)",
    8,
  ],
  [
    "m3_exec.h",
    /d_m3UnaryOp_i \(i64, EqualToZero, OP_EQZ\)/g,
    "d_m3UnaryMacro (_r0, _r64, i64, EqualToZero, M3_UNARY, OP_EQZ)",
    1,
  ],
  // wrap (i64 -> i32) and extend (i32 -> i64)
  ["m3_exec.h", /_r0 = OP_WRAP_I64\(\(i64\) _r0\);/g, "_r0 = OP_WRAP_I64((i64) _r64);", 1],
  [
    "m3_exec.h",
    /d_m3TypeModifyOp \(_r0, _r0, i64, Extend, (i32|u32)\);/g,
    "d_m3TypeModifyOp (_r64, _r0, i64, Extend, $1);",
    2,
  ],
  // floats to and from i64
  ["m3_exec.h", /d_m3TruncMacro\(_r0, (_fp[01]), (i64|u64),/g, "d_m3TruncMacro(_r64, $1, $2,", 8],
  [
    "m3_exec.h",
    /d_m3TypeConvertOp \((_fp[01]), _r0, (f32|f64), Convert, (i64|u64)\);/g,
    "d_m3TypeConvertOp ($1, _r64, $2, Convert, $3);",
    4,
  ],
  ["m3_exec.h", /d_m3ReinterpretOp \(_r0, i64, _fp0, f64\)/g, "d_m3ReinterpretOp (_r64, i64, _fp0, f64)", 1],
  ["m3_exec.h", /d_m3ReinterpretOp \(_fp0, f64, _r0, i64\)/g, "d_m3ReinterpretOp (_fp0, f64, _r64, i64)", 1],
  // i64 global, register <-> slot moves, select (its condition stays the i32 register), loads and stores
  ["m3_exec.h", /\* global = \(u64\) _r0;/g, "* global = (u64) _r64;", 1],
  ["m3_exec.h", /d_m3SetRegisterSetSlot \(i64, _r0\)/g, "d_m3SetRegisterSetSlot (i64, _r64)", 1],
  ["m3_exec.h", /d_m3Select_i \(i64, _r0\)/g, "d_m3Select_i (i64, _r64)", 1],
  ["m3_exec.h", /(define d_m3Load_i\(DEST_TYPE, SRC_TYPE\) d_m3Load\()_r0,/g, "$1d_m3IntReg_##DEST_TYPE,", 1],
  ["m3_exec.h", /(define d_m3Store_i\(SRC_TYPE, DEST_TYPE\) d_m3Store\()_r0,/g, "$1d_m3IntReg_##SRC_TYPE,", 1],
];

/** Splits wasm3's integer register into an i32 (r0) and an i64 (r64) one in the sources in `dir`, in place (after
 *  checkBounds32); throws naming the edit that did not fit. */
export function splitIntRegisters(dir) {
  applyEdits(dir, EDITS, "int-registers");
}
