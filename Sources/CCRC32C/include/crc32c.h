#ifndef TINSENSE_CRC32C_H
#define TINSENSE_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has the SSE 4.2 CRC32 instruction (x86-64 only), else 0. */
int tinsense_crc32c_hardware(void);

/* CRC-32C of `bytes` continuing from `crc` (the finished value of the previous part, 0 to
   start), with the SSE 4.2 instruction. Call only when tinsense_crc32c_hardware() is 1. */
uint32_t tinsense_crc32c_sse42(uint32_t crc, const void *bytes, size_t count);

#endif
