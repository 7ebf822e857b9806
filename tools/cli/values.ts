// Parsers for flag values the commands share: one of a fixed list, action lists, number lists. Errors name the flag.
import { BitrlError } from "../lib/util/errors.ts";
import { KEYDOOR_ACTIONS, TEXTROOM_ACTIONS, type EnvName } from "../lib/reference/envs.ts";
import { decimalInt, decimalNumber } from "./command.ts";

/** A flag that takes one of `allowed`; undefined when not given (callers put their default after `??`). */
export function choice<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new BitrlError(`--${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
  return value as T;
}

/** Parses "1,0,1" (or "take,next" for keydoor's and textroom's action words) into action numbers. */
export function parseActions(env: EnvName, text: string): number[] {
  if (text.trim() === "") return [];
  return text.split(",").map((s, i) => {
    const w = s.trim();
    const words = env === "keydoor" ? KEYDOOR_ACTIONS : env === "textroom" ? TEXTROOM_ACTIONS : null;
    if (words && /^[a-z]+$/.test(w)) {
      const k = words.indexOf(w);
      if (k < 0) throw new BitrlError(`action ${i + 1} '${w}' is not a ${env} word (${words.join(", ")})`);
      return k;
    }
    const n = decimalInt(w);
    if (Number.isNaN(n)) throw new BitrlError(`action ${i + 1} '${w}' is not a decimal integer`);
    return n;
  });
}

/** Parses "x,x_dot,theta,theta_dot" into finite numbers. */
export function parseNumbers(what: string, text: string): number[] {
  return text.split(",").map((s, i) => {
    const n = decimalNumber(s.trim());
    if (!Number.isFinite(n)) throw new BitrlError(`${what} value ${i + 1} '${s}' is not a finite decimal number`);
    return n;
  });
}
