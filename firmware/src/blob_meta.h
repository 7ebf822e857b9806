/* The model blob's metadata block (docs/format.md): one JSON value whose top level is an object, in valid UTF-8,
 * checked as strictly as JSON.parse, streaming through the blob source (blob.c calls it before trusting the blob). */
#ifndef BITRL_BLOB_META_H
#define BITRL_BLOB_META_H
#include <stdint.h>
#include "blob.h"

#define BITRL_META_OK 0
#define BITRL_META_INVALID 1     /* not UTF-8 JSON with an object at the top */
#define BITRL_META_READ_FAILED 2 /* the source could not be read */

/* Checks the len bytes at `at`; *stop is where the check stopped (the byte after the problem when invalid). */
int bitrl_blob_meta_check(const bitrl_blob_source *src, uint32_t at, uint32_t len, uint32_t *stop);

#endif
