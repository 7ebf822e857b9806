// Measures the emulated boards on this machine: firmware sizes, boot time, QEMU speed (guest instructions per host
// second) and wasm3's RAM use on build/agent.wasm. Prints a table and one JSON line. A measurement, not a test.
// usage: node --import tsx scripts/toolchain/measure.ts
import { buildFirmware, SELFTEST_SRC } from "../../tools/lib/board/firmware-build.ts";
import { tempFlashPath, withQemu, type QemuBoard, type QemuBoardId } from "../../tools/lib/board/qemu.ts";

async function ask(b: QemuBoard, cmd: string, prefix: string): Promise<string> {
  const before = b.received().length;
  b.write(cmd);
  const re = new RegExp(`(?:^|\\n)(${prefix}[^\\n]*)\\n`);
  const rx = await b.waitFor((r) => re.test(r.subarray(before).toString()), 120_000, prefix);
  return re.exec(rx.subarray(before).toString())![1];
}

const rows: Record<string, unknown>[] = [];
for (const board of ["qemu-m4", "qemu-rv32"] as QemuBoardId[]) {
  const app = await buildFirmware(board);
  const aot = board === "qemu-m4" ? await buildFirmware(board, { backend: "aot" }) : null;
  const st = await buildFirmware(board, { srcDir: SELFTEST_SRC });
  const boots: number[] = [];
  let speed = 0;
  let busy = 0;
  let wasm3 = "";
  for (let i = 0; i < 3; i++) {
    await withQemu(
      { elf: st.path, board, flashPath: tempFlashPath(), handshake: (b) => b.waitFor((r) => r.includes("\n"), 10_000) },
      async (b) => {
        boots.push(b.bootMs);
        if (i > 0) return;
        const t0 = process.hrtime.bigint();
        busy = Number((await ask(b, "b", "busy")).split(" ")[1]);
        const sec = Number(process.hrtime.bigint() - t0) / 1e9;
        speed = busy / sec;
        wasm3 = await ask(b, "w", "(work|error)");
      },
    );
  }
  boots.sort((a, b) => a - b);
  rows.push({
    board,
    app_text: app?.sizes?.text ?? null,
    app_ram: app?.sizes?.ram ?? null,
    aot_text: aot?.sizes?.text ?? null,
    aot_ram: aot?.sizes?.ram ?? null,
    selftest_text: st.sizes?.text,
    selftest_ram: st.sizes?.ram,
    boot_ms_median: boots[1],
    busy_instructions: busy,
    guest_minstr_per_s: Math.round(speed / 1e5) / 10,
    wasm3: wasm3,
  });
}
console.log("board      app text  app RAM  AOT text  AOT RAM  boot ms  guest Minstr/s  wasm3 load+call (selftest)");
for (const r of rows) {
  console.log(
    `${String(r.board).padEnd(10)} ${String(r.app_text ?? "-").padStart(8)}  ${String(r.app_ram ?? "-").padStart(7)}  ${String(r.aot_text ?? "-").padStart(8)}  ${String(r.aot_ram ?? "-").padStart(7)}  ${String(r.boot_ms_median).padStart(7)}  ${String(r.guest_minstr_per_s).padStart(14)}  ${r.wasm3}`,
  );
}
console.log(JSON.stringify({ kind: "emulated", machine: "this host, QEMU 7.2, -icount shift=0", rows }));
