// Generated sections inside a hand-written document (docs/results.md): the text between `<!-- NAME:begin -->` and
// `<!-- NAME:end -->` belongs to a renderer; the markers stay, so the next render finds them again.
import { BitrlError } from "../util/errors.ts";

/** `doc` with the body of the NAME block replaced by `body` (markers kept); the markers must be there. */
export function replaceSection(doc: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`,
    end = `<!-- ${name}:end -->`;
  const a = doc.indexOf(begin),
    b = doc.indexOf(end);
  if (a < 0 || b < a) throw new BitrlError(`docs: no ${begin} ... ${end} markers`);
  return doc.slice(0, a + begin.length) + "\n" + body + "\n" + doc.slice(b);
}
