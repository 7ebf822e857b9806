/* Settings of the ahead-of-time backend, each overridable with -D from platformio.ini (build_flags). */
#ifndef BITRL_AOT_CONFIG_H
#define BITRL_AOT_CONFIG_H

#ifndef BITRL_CFG_AOT_MEMORY_BYTES
#define BITRL_CFG_AOT_MEMORY_BYTES (2u * 65536u) /* the module's fixed linear memory (asconfig.json: 2 pages) */
#endif
#ifndef BITRL_CFG_AOT_MAX_FUNC_TYPES
#define BITRL_CFG_AOT_MAX_FUNC_TYPES 64 /* distinct function signatures in the module */
#endif
#ifndef BITRL_CFG_AOT_MAX_TABLE
#define BITRL_CFG_AOT_MAX_TABLE 16 /* funcref table entries (AssemblyScript's stub runtime uses few) */
#endif

#endif
