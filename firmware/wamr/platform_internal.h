/* The platform header WAMR's core includes (core/shared/platform/include/platform_common.h): the C library headers
 * it uses and the thread types it names. bitrl runs WAMR on bare metal with one thread and no OS, so the thread
 * types are placeholders that are never waited on. */
#ifndef BITRL_WAMR_PLATFORM_INTERNAL_H
#define BITRL_WAMR_PLATFORM_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BH_APPLET_PRESERVED_STACK_SIZE (2 * 1024)
#define BH_THREAD_DEFAULT_PRIORITY 0

typedef uint32_t korp_tid;   /* the one thread there is */
typedef uint32_t korp_mutex; /* locks nothing: no second thread can contend */
typedef uint32_t korp_cond;
typedef uint32_t korp_thread;

#endif
