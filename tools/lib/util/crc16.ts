// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected, no xorout): the serial frames' header check.
// A CRC rather than a sum so every burst of up to 16 bits in the header is caught (docs/protocol.md).

/** CRC-16/CCITT-FALSE of `bytes` ("123456789" gives 0x29B1). */
export function crc16(bytes: Uint8Array): number {
  let c = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i] << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}
