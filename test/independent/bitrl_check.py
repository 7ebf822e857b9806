#!/usr/bin/env python3
"""Independent cross-check of `bitrl pack` / `bitrl unpack`, written from docs/format.md alone (pure Python, no numpy).

  bitrl_check.py ORIGINAL.safetensors UNPACKED.safetensors BLOB.bitrl --scale tensor|row

Recomputes absmean ternarization (BitNet b1.58) of every 2-D F32 tensor in ORIGINAL, decodes BLOB's table and its
i2/t3 codes itself, and compares both with UNPACKED. Prints one JSON object; exit 0 when everything agrees (an
element may differ only where |w / (gamma + eps)| lies within 1e-6 of 0.5, the rounding boundary).
"""
import json
import struct
import sys
import zlib

EPS = 1e-5
BOUNDARY_TOL = 1e-6


def f32(x):
    """Round a Python float (binary64) to the nearest binary32, as a float again."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def read_safetensors(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name}: dtype {e['dtype']} (this checker reads F32 only)")
        begin, end = e["data_offsets"]
        count = (end - begin) // 4
        out[name] = (list(e["shape"]), list(struct.unpack_from(f"<{count}f", raw, base + begin)))
    return out


def absmean_ternary(values, rows, cols, per_row):
    """(codes, gammas): gamma = f32(mean|w|) summed in float64 in index order; q = clamp(round_half_even(w/(gamma+eps)))."""
    groups = [(r * cols, (r + 1) * cols) for r in range(rows)] if per_row else [(0, rows * cols)]
    codes = [0] * (rows * cols)
    gammas = []
    for start, end in groups:
        total = 0.0
        for i in range(start, end):
            total += abs(values[i])
        gamma = f32(total / (end - start))
        gammas.append(gamma)
        denom = gamma + EPS
        for i in range(start, end):
            q = round(values[i] / denom)  # Python's round() is round-half-even
            codes[i] = max(-1, min(1, q))
    return codes, gammas


def near_boundary(w, gamma):
    return abs(abs(w / (gamma + EPS)) - 0.5) <= BOUNDARY_TOL


def read_blob(path):
    """The .bitrl table and each tensor's codes and scales, decoded from the bytes by the rules of docs/format.md."""
    with open(path, "rb") as fh:
        raw = fh.read()
    magic, version, header_bytes, file_bytes, count, meta_bytes, table_off, data_off, reserved = struct.unpack_from("<4sHHIIIIII", raw, 0)
    assert magic == b"BTRL" and version == 1 and header_bytes == 32 and reserved == 0, "bad header"
    assert file_bytes == len(raw), "file length"
    assert struct.unpack_from("<I", raw, file_bytes - 4)[0] == zlib.crc32(raw[: file_bytes - 4]), "file CRC"
    tensors = {}
    for i in range(count):
        e = table_off + 96 * i
        name = raw[e : e + 48].split(b"\0", 1)[0].decode("utf-8")
        packing, ndim, scale_kind = raw[e + 48], raw[e + 49], raw[e + 50]
        shape = list(struct.unpack_from("<4I", raw, e + 52))[:ndim]
        d_off, d_len, s_off, s_count, d_crc, s_crc = struct.unpack_from("<6I", raw, e + 68)
        data = raw[d_off : d_off + d_len]
        scales_raw = raw[s_off : s_off + 4 * s_count]
        assert zlib.crc32(data) == d_crc and zlib.crc32(scales_raw) == s_crc, f"{name}: CRC"
        assert d_off % 16 == 0 and d_off >= data_off and (s_count == 0 or s_off % 16 == 0), f"{name}: alignment"
        scales = list(struct.unpack_from(f"<{s_count}f", scales_raw, 0)) if s_count else []
        codes = None
        if packing in (3, 4):  # i2, t3
            rows, cols = shape
            per = 4 if packing == 3 else 5
            stride = -(-cols // per)
            assert d_len == rows * stride, f"{name}: data_bytes"
            codes = []
            for r in range(rows):
                row = []
                for b in range(stride):
                    byte = data[r * stride + b]
                    for j in range(per):
                        code = (byte >> (2 * j)) & 3 if packing == 3 else (byte // 3**j) % 3
                        assert code != 3, f"{name}: invalid i2 code"
                        row.append(code - 1)
                    assert packing == 3 or byte <= 242, f"{name}: invalid t3 byte"
                assert all(v == 0 for v in row[cols:]), f"{name}: nonzero padding"
                codes.extend(row[:cols])
        tensors[name] = {"packing": packing, "shape": shape, "scale_kind": scale_kind, "scales": scales, "codes": codes}
    return tensors


def main(argv):
    if len(argv) != 6 or argv[4] != "--scale" or argv[5] not in ("tensor", "row"):
        raise SystemExit(__doc__)
    original, unpacked, blob = read_safetensors(argv[1]), read_safetensors(argv[2]), read_blob(argv[3])
    per_row = argv[5] == "row"
    report = {"tensors": 0, "elements": 0, "value_mismatches": 0, "off_boundary_mismatches": 0,
              "code_mismatches": 0, "scale_mismatches": 0, "kept_mismatches": 0, "missing": []}
    for name, (shape, values) in original.items():
        if name not in unpacked or name not in blob:
            report["missing"].append(name)
            continue
        got_shape, got = unpacked[name]
        report["tensors"] += 1
        report["elements"] += len(values)
        if got_shape != shape:
            report["missing"].append(name + " (shape)")
            continue
        if len(shape) != 2:  # kept tensors (fp32): must be unchanged
            report["kept_mismatches"] += sum(1 for a, b in zip(values, got) if a != b)
            continue
        rows, cols = shape
        codes, gammas = absmean_ternary(values, rows, cols, per_row)
        t = blob[name]
        if [f32(g) for g in t["scales"]] != gammas:
            report["scale_mismatches"] += 1
        report["code_mismatches"] += sum(1 for a, b in zip(codes, t["codes"]) if a != b)
        for i, w in enumerate(values):
            gamma = gammas[i // cols] if per_row else gammas[0]
            if f32(codes[i] * gamma) != got[i]:
                report["value_mismatches"] += 1
                if not near_boundary(w, gamma):
                    report["off_boundary_mismatches"] += 1
    print(json.dumps(report))
    ok = not report["missing"] and not report["off_boundary_mismatches"] and not report["scale_mismatches"] \
        and not report["kept_mismatches"] and report["tensors"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
