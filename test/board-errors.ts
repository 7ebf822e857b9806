// Shared by the board suites: the named error a board request fails with.
import { BoardError } from "../tools/lib/board/client.ts";

/** The BoardError code a request fails with ("" when it succeeds); any other exception is rethrown. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "";
  } catch (e) {
    if (e instanceof BoardError) return e.code;
    throw e;
  }
}
