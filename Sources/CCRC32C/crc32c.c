// The CRC-32C instruction of SSE 4.2, for TinsenseCore's CRC32C (which keeps its portable
// slicing-by-8 tables for other CPUs). In C because Swift cannot call the `crc32` instruction
// or test CPU features; no package in reach offers it (TinsenseCore/CRC32C.swift).
#include "crc32c.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <string.h>

int tinsense_crc32c_hardware(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t tinsense_crc32c_sse42(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t c = (uint32_t)~crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        count -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (count > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p += 1;
        count -= 1;
    }
    return ~c32;
}
#else
int tinsense_crc32c_hardware(void) { return 0; }
uint32_t tinsense_crc32c_sse42(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes; (void)count;
    return crc;
}
#endif
