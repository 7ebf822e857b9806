// One error type for everything a user can cause: the CLI prints its message as one line, no stack trace.
export class BitrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BitrlError";
  }
}
