/* Host-only tool: runs the firmware's frame decoder over a byte stream on stdin, fed in chunks of argv[1] bytes
 * (default 256, the firmware's serial read), then as if the line went idle; prints one line per event so tests
 * feed the C and TypeScript decoders the same garbage. Compiled only with -DBITRL_FRAME_CHECK_MAIN
 * (cc firmware/src/frame_check.c firmware/src/frame.c firmware/src/crc32.c); empty in board builds. */
#ifdef BITRL_FRAME_CHECK_MAIN
#include <stdio.h>
#include <stdlib.h>
#include "crc32.h"
#include "frame.h"

static bitrl_frame_decoder g_rx;

static void print_events(void) {
    for (;;) {
        bitrl_frame_event ev = bitrl_frame_poll(&g_rx);
        if (ev == BITRL_FRAME_NONE) return;
        if (ev == BITRL_FRAME_OK)
            printf("frame %u %u %u %08lx\n", g_rx.seq, g_rx.code, g_rx.len,
                   (unsigned long)bitrl_crc32(g_rx.payload, g_rx.len, 0));
        else if (ev == BITRL_FRAME_BAD_CRC)
            printf("bad-crc %u\n", g_rx.seq);
        else
            printf("too-large %u %u\n", g_rx.seq, g_rx.len);
    }
}

int main(int argc, char **argv) {
    size_t chunk = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 256;
    if (chunk == 0 || chunk > 4096) chunk = 256;
    static uint8_t in[4096]; /* (chunk) bytes of one read */
    bitrl_frame_reset(&g_rx);
    size_t n;
    while ((n = fread(in, 1, chunk, stdin)) > 0) {
        for (size_t off = 0; off < n;) {
            off += bitrl_frame_push(&g_rx, in + off, n - off);
            print_events();
        }
    }
    while (g_rx.n > g_rx.consume) { /* end of input: the line is idle, as in firmware/src/app.c */
        bitrl_frame_drop_partial(&g_rx);
        print_events();
    }
    return 0;
}
#endif
