/* The blob's metadata check (see blob_meta.h): a streaming UTF-8 + JSON grammar check (RFC 8259, what JSON.parse
 * accepts) over the source in small chunks, with no heap and an explicit, depth-bounded stack. */
#include <string.h>
#include "blob_meta.h"
#include "utf8.h"

#define CHUNK 64u /* bytes read at a time */

#define META_MAX_DEPTH 64 /* nesting the checker follows; deeper metadata is rejected (no model card needs it) */

typedef struct {
    const bitrl_blob_source *src;
    uint32_t at, end; /* next byte to read, end of the metadata */
    uint8_t buf[CHUNK];
    uint32_t buf_at, buf_n; /* buf holds bytes [buf_at, buf_at + buf_n) */
    int failed_read;
} meta_reader;

/* Next byte or -1 at the end (or on a read failure, flagged). */
static int meta_peek(meta_reader *m) {
    if (m->at >= m->end) return -1;
    if (m->at < m->buf_at || m->at >= m->buf_at + m->buf_n) {
        uint32_t k = m->end - m->at < CHUNK ? m->end - m->at : CHUNK;
        if (m->src->read(m->src->ctx, m->at, m->buf, k) != 0) {
            m->failed_read = 1;
            return -1;
        }
        m->buf_at = m->at;
        m->buf_n = k;
    }
    return m->buf[m->at - m->buf_at];
}
static int meta_next(meta_reader *m) {
    int c = meta_peek(m);
    if (c >= 0) m->at++;
    return c;
}
static int meta_next_byte(void *m) { return meta_next((meta_reader *)m); }
static void meta_ws(meta_reader *m) {
    for (int c = meta_peek(m); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = meta_peek(m)) m->at++;
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* A string after its opening quote: escapes, no raw control characters, UTF-8 sequences checked. */
static int meta_string(meta_reader *m) {
    for (;;) { /* bounded: each pass consumes at least one byte of a finite block */
        int c = meta_next(m);
        if (c < 0x20) return 0; /* end of data, or a raw control character */
        if (c == '"') return 1;
        if (c == '\\') {
            c = meta_next(m);
            if (c == 'u') {
                for (int i = 0; i < 4; i++)
                    if (!is_hex(meta_next(m))) return 0;
            } else if (!(c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
                         c == 't')) {
                return 0;
            }
        } else if (c >= 0x80 && !bitrl_utf8_sequence(c, meta_next_byte, m)) {
            return 0;
        }
    }
}

static int meta_number(meta_reader *m) {
    if (meta_peek(m) == '-') m->at++;
    int c = meta_next(m);
    if (c == '0') {
        if (is_digit(meta_peek(m))) return 0;
    } else if (c >= '1' && c <= '9') {
        while (is_digit(meta_peek(m))) m->at++;
    } else {
        return 0;
    }
    if (meta_peek(m) == '.') {
        m->at++;
        if (!is_digit(meta_peek(m))) return 0;
        while (is_digit(meta_peek(m))) m->at++;
    }
    c = meta_peek(m);
    if (c == 'e' || c == 'E') {
        m->at++;
        c = meta_peek(m);
        if (c == '+' || c == '-') m->at++;
        if (!is_digit(meta_peek(m))) return 0;
        while (is_digit(meta_peek(m))) m->at++;
    }
    return 1;
}

static int meta_literal(meta_reader *m, const char *word) {
    for (const char *p = word; *p; p++)
        if (meta_next(m) != (uint8_t)*p) return 0;
    return 1;
}

/* The whole block is one JSON value, iteratively (an explicit stack of open containers, depth-bounded). */
static int meta_json_valid(meta_reader *m) {
    char stack[META_MAX_DEPTH]; /* '{' or '[' per open container */
    int depth = 0;
    meta_ws(m);
    if (meta_peek(m) != '{') return 0; /* the top level must be an object */
    for (;;) {
        /* expecting a value */
        meta_ws(m);
        int c = meta_next(m);
        if (c == '{' || c == '[') {
            if (depth == META_MAX_DEPTH) return 0;
            stack[depth++] = (char)c;
            meta_ws(m);
            if (meta_peek(m) == (c == '{' ? '}' : ']')) {
                m->at++;
                depth--;
            } else {
                if (c == '{') {
                    if (meta_next(m) != '"' || !meta_string(m)) return 0;
                    meta_ws(m);
                    if (meta_next(m) != ':') return 0;
                }
                continue;
            }
        } else if (c == '"') {
            if (!meta_string(m)) return 0;
        } else if (c == '-' || is_digit(c)) {
            m->at--;
            if (!meta_number(m)) return 0;
        } else if (c == 't') {
            if (!meta_literal(m, "rue")) return 0;
        } else if (c == 'f') {
            if (!meta_literal(m, "alse")) return 0;
        } else if (c == 'n') {
            if (!meta_literal(m, "ull")) return 0;
        } else {
            return 0;
        }
        /* after a value: close containers or move to the next member */
        for (;;) {
            meta_ws(m);
            if (depth == 0) return meta_peek(m) < 0 && !m->failed_read;
            c = meta_next(m);
            char open = stack[depth - 1];
            if (c == (open == '{' ? '}' : ']')) {
                depth--;
                continue;
            }
            if (c != ',') return 0;
            if (open == '{') {
                meta_ws(m);
                if (meta_next(m) != '"' || !meta_string(m)) return 0;
                meta_ws(m);
                if (meta_next(m) != ':') return 0;
            }
            break;
        }
    }
}

int bitrl_blob_meta_check(const bitrl_blob_source *src, uint32_t at, uint32_t len, uint32_t *stop) {
    meta_reader m;
    memset(&m, 0, sizeof m);
    m.src = src;
    m.at = at;
    m.end = at + len;
    int ok = meta_json_valid(&m);
    *stop = m.at;
    return m.failed_read ? BITRL_META_READ_FAILED : ok ? BITRL_META_OK : BITRL_META_INVALID;
}
