// Progress for long work: a redrawn bar on a TTY, a plain line every ~10% otherwise (logs, CI).
export interface Progress {
  tick(done: number, note?: string): void;
  done(note?: string): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const start = Date.now();
  let lastDecile = -1;
  const line = (done: number, note = "") => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    return { frac, text: `${label} ${done}/${total} ${(frac * 100).toFixed(0)}% ${secs}s${note ? " " + note : ""}` };
  };
  return {
    tick(done, note) {
      const { frac, text } = line(done, note);
      if (tty) {
        const width = 24;
        const fill = Math.round(frac * width);
        stream.write(`\r[${"#".repeat(fill)}${"-".repeat(width - fill)}] ${text}\x1b[K`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(text + "\n");
        }
      }
    },
    done(note) {
      const { text } = line(total, note);
      stream.write(tty ? `\r${text}\x1b[K\n` : lastDecile < 10 ? text + "\n" : "");
    },
  };
}
