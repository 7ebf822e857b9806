// `bitrl generate`: text from a language model, in this process or on a board; tokens/s labelled by how they were
// obtained (host: measured wall clock in V8; emulated boards: instruction counts, with the estimate at the board's
// clock and at 240 MHz, one instruction per cycle).
import type { Command } from "./command.ts";
import { BACKEND_USAGE, intFlag, numberFlag, parseFlags, seedFlag } from "./command.ts";
import { readFileChecked } from "../lib/util/files.ts";
import { decodeBlobBytes } from "../lib/format/blob-file.ts";
import { getBoard, tickKind } from "../lib/board/profiles.ts";
import type { Backend } from "../lib/board/firmware-build.ts";
import { BOARD_FLAGS, backendOrBoardDefault, JSON_FLAG, valueFlags } from "./options.ts";
import { openBoard } from "../lib/board/session.ts";
import { loadAgent } from "../lib/runtime/wasm.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { tokenizerOf } from "../lib/lm/tokenizer.ts";
import { generateOnBoard, generateOnHost } from "../lib/lm/generate.ts";
import { assertLmFits, lmLayoutOf } from "../lib/lm/fit.ts";
import { backboneFromBlob, LM_LIMITS } from "../lib/reference/backbone.ts";

const ESP32_HZ = 240_000_000;

export const generateCommand: Command = {
  name: "generate",
  summary: "generate text with a language model (host, or a board with --board)",
  usage: `usage: bitrl generate --model FILE.bitrl --prompt TEXT [options]

Feeds the prompt (byte tokens, or an imported model's vocabulary) to the model and picks --tokens more, each fed back (lm_generate, docs/lm.md):
greedy at temperature 0, else sampled with the seed. Host and board run the same module, so the same seed gives
the same tokens. Quantized models only (ternary, binary, int8).
  --model FILE       the language model (e.g. models/lm-ternary.bitrl)
  --prompt TEXT      text, at least one character (Latin-1 for byte models)
  --tokens N         tokens to generate (default 32)
  --temperature T    0 = greedy (default 0.8)
  --seed S           sampling seed (default 1)
  --board B          run on this board (emulated boards boot themselves; --port for a real one); without
                     --backend, a model the board's default engine cannot hold runs on its AOT build if that fits
${BACKEND_USAGE}
  --port P           serial port of a real board
  --json             print {text, tokens, ...} as one JSON line`,
  async run(argv) {
    const v = parseFlags(this, argv, {
      ...valueFlags("model", "prompt", "tokens", "temperature", "seed"),
      ...BOARD_FLAGS,
      ...JSON_FLAG,
    });
    if (!v) return 0;
    if (!v.model) throw new BitrlError("missing --model FILE (see 'bitrl generate --help')");
    if (v.prompt === undefined || v.prompt === "")
      throw new BitrlError("missing --prompt TEXT (at least one character)");
    const blob = readFileChecked(v.model, "model");
    const decoded = decodeBlobBytes(v.model, blob);
    const tokenizer = tokenizerOf(decoded);
    if (!tokenizer)
      throw new BitrlError(
        `${v.model} is not a language model (its metadata names no tokenizer; make one: bitrl pretrain --corpus fortunes)`,
      );
    const w = backboneFromBlob(decoded, LM_LIMITS);
    if (w.config.kind === "fp32")
      throw new BitrlError(
        `${v.model} is an fp32 model: generation runs the quantized kinds (ternary, binary, int8); the fp32 twin is compared by its validation loss (docs/lm.md)`,
      );
    const req = {
      prompt: tokenizer.encode(v.prompt),
      tokens: intFlag("tokens", v.tokens, 32, 1, 4096),
      temperature: numberFlag("temperature", v.temperature, 0.8, 0, 100),
      seed: seedFlag(v.seed, 1),
    };
    let out: Record<string, unknown>;
    if (v.board) {
      const board = getBoard(v.board);
      // refused before the upload when it cannot fit (the board checks again in lm_load); without --backend, a
      // model the board's default engine cannot hold runs on the AOT build when that one holds it
      const heap = loadAgent("release").fn.heap_top();
      const fits = (backend: Backend) => assertLmFits(w.config, heap, board.id, backend, lmLayoutOf(w));
      let backend = backendOrBoardDefault(board, v.backend);
      try {
        fits(backend);
      } catch (e) {
        if (v.backend || backend === "aot") throw e;
        fits("aot"); // throws the AOT build's numbers when that does not fit either
        console.error(`note: ${(e as Error).message.split(": its")[0]}; running on its AOT build (--backend aot)`);
        backend = "aot";
      }
      const s = await openBoard(board.id, {
        backend,
        port: v.port,
        timeoutMs: 120000,
      });
      try {
        await s.client.loadModel(blob);
        const r = await generateOnBoard(s.client, req);
        const perToken = r.tokens.length ? (r.ticks - r.promptTicks) / r.tokens.length : 0;
        const kind = tickKind(board);
        out = {
          text: tokenizer.decode(r.tokens),
          tokens: r.tokens,
          board: board.id,
          backend,
          via: s.via,
          kind,
          clock_unit: s.info.clock_unit,
          ticks_per_token: Math.round(perToken),
          prompt_ticks: r.promptTicks,
          // instructions at one per cycle: an estimate for a real core of that clock
          tokens_per_s_at_board_clock: perToken ? Number((board.clockHz / perToken).toFixed(2)) : null,
          tokens_per_s_at_240mhz: perToken ? Number((ESP32_HZ / perToken).toFixed(2)) : null,
        };
      } finally {
        await s.close();
      }
    } else {
      const r = generateOnHost(loadAgent("release"), blob, req);
      out = {
        text: tokenizer.decode(r.tokens),
        tokens: r.tokens,
        board: null,
        kind: "host",
        ms: Number(r.ms.toFixed(1)),
        tokens_per_s_host: Number(((1000 * (req.prompt.length + r.tokens.length)) / r.ms).toFixed(1)),
      };
    }
    const made = (out.tokens as number[]).length;
    const full =
      made < req.tokens ? `stopped after ${made} tokens: the model's context (${w.config.ctx}) is full` : null;
    if (v.json)
      console.log(
        JSON.stringify({ prompt: v.prompt, temperature: req.temperature, seed: req.seed, ...out, stopped: full }),
      );
    else if (full) console.error(full);
    if (!v.json) {
      console.log(v.prompt + String(out.text));
      if (out.board) {
        console.error(
          `${out.ticks_per_token} ${out.clock_unit} per token on ${out.board} (${out.kind}); estimated ${out.tokens_per_s_at_240mhz} tokens/s at 240 MHz`,
        );
      } else console.error(`${out.tokens_per_s_host} tokens/s in V8 on this host (measured)`);
    }
    return 0;
  },
};
