/* ESP32-C3 entry: the ROM loader has copied the image's segments into SRAM and jumps here (the ELF entry, which
 * esptool's elf2image records). Set the global and stack pointers, then continue in C (start_esp32c3.c). */
  .section .text.entry, "ax"
  .globl _start
  .type _start, @function
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  j bitrl_c3_cstart
