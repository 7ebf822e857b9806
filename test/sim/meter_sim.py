#!/usr/bin/env python3
"""Simulated power meters for tests: a Nordic PPK2 or a bitrl INA meter speaking the real protocol on a pty.

Usage: meter_sim.py ppk2|ina SCENARIO.json
Prints 'PTY <slave path>' on stdout, then serves the master side until stdin closes (the test process ended).
SCENARIO: {"vdd_mV": 3000, "period_us": 1000, "segments": [{"n": samples, "uA": current, "mark": 0|1}, ...]}:
on start the meter sends the segments' samples as fast as the pty takes them, then goes quiet (a real meter
would keep streaming; the host stops it when its workload is done and drains what was sent).
PPK2 wire format (docs/energy.md): 1-byte opcodes with arguments; samples are little-endian u32 words,
ADC code in bits 0-13 (value = code * 4), range in bits 14-16, counter in 18-23, digital inputs in 24-31.
"""
import json, os, select, sys, tty

ADC_MULT = 1.8 / 163840
# calibration the simulated PPK2 reports: round resistor values, no gain or offset corrections
R = [1000.0, 100.0, 10.0, 1.0, 0.05]


def ppk2_metadata(vdd):
    rows = ["Calibrated: 0"]
    for i, r in enumerate(R):
        rows += [f"R{i}: {r}", f"GS{i}: 0", f"GI{i}: 1", f"O{i}: 0", f"S{i}: 0", f"I{i}: 0", f"UG{i}: 1"]
    rows += ["HW: 9173", "mode: 2", f"basemV: {vdd}", "END"]
    return ("\n".join(rows) + "\n").encode()


def ppk2_word(ua, mark, counter):
    amps = ua * 1e-6
    # the highest-resistance range whose 14-bit code still holds the value (as the PPK2's auto-ranging does)
    for rng, r in enumerate(R):
        code = round(amps * r / ADC_MULT / 4)
        if code < 16000 or rng == len(R) - 1:
            break
    code = max(0, min(code, 16383))
    return (code | (rng << 14) | ((counter & 63) << 18) | ((mark & 0xFF) << 24)).to_bytes(4, "little")


def ppk2_stream(sc):
    out, counter = bytearray(), 0
    for seg in sc["segments"]:
        for _ in range(seg["n"]):
            out += ppk2_word(seg["uA"], seg.get("mark", 0), counter)
            counter += 1
    return bytes(out)


def ina_stream(sc, period_us):
    lines, seq = [], 0
    bus_uv = int(sc["vdd_mV"]) * 1000
    for seg in sc["segments"]:
        for _ in range(seg["n"]):
            lines.append(f"S {seq} {seq * period_us} {bus_uv} {round(seg['uA'] * 1000)} {seg.get('mark', 0)}\n")
            seq += 1
    return "".join(lines).encode()


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        sc = json.load(f)
    master, slave = os.openpty()
    tty.setraw(slave)  # no newline translation: PPK2 opcodes such as 0x0d must arrive unchanged
    print("PTY", os.ttyname(slave), flush=True)
    pending, inbuf, vdd, period_us = b"", b"", int(sc.get("vdd_mV", 3000)), int(sc.get("period_us", 1000))
    while True:
        want_write = [master] if pending else []
        r, w, _ = select.select([master, sys.stdin], want_write, [], 0.5)
        if sys.stdin in r and not os.read(sys.stdin.fileno(), 1024):
            return
        if master in r:
            try:
                inbuf += os.read(master, 4096)
            except OSError:
                inbuf = inbuf
        if master in w and pending:
            n = os.write(master, pending[:4096])
            pending = pending[n:]
        if kind == "ppk2":
            while inbuf:
                op = inbuf[0]
                size = {0x0D: 3, 0x11: 2, 0x0C: 2, 0x08: 2}.get(op, 1)
                if len(inbuf) < size:
                    break
                cmd, inbuf = inbuf[:size], inbuf[size:]
                if op == 0x19:
                    pending += ppk2_metadata(vdd)
                elif op == 0x0D:
                    vdd = (cmd[1] << 8) | cmd[2]
                elif op == 0x06:
                    pending += ppk2_stream(sc)
                # 0x07 (stop): nothing to do; the queued samples model what the meter recorded before it
        else:
            while b"\n" in inbuf:
                line, inbuf = inbuf.split(b"\n", 1)
                cmd = line.strip().decode()
                if cmd == "INFO":
                    pending += f"I bitrl-meter 1 chip=ina226 period_us={period_us}\n".encode()
                elif cmd == "START":
                    pending += b"OK START\n" + ina_stream(sc, period_us)
                elif cmd == "STOP":
                    pending += b"OK STOP\n"
                else:
                    pending += f"E unknown command '{cmd}'\n".encode()


if __name__ == "__main__":
    main()
