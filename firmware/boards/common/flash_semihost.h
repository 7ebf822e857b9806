/* The emulated boards' persistent flash over semihosting (flash_semihost.c): implements hal_flash_* of hal.h. */
#ifndef BITRL_FLASH_SEMIHOST_H
#define BITRL_FLASH_SEMIHOST_H

/* Opens (or creates) the flash file and fills the mapped copy; `board` names the board in log lines. Without a
 * file, hal_flash_size() is 0 and every access fails. */
void semihost_flash_open(const char *board);

#endif
