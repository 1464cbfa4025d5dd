// Counts heap allocations of the whole process (PipelineBenchmark): this target defines
// malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign, so the executable that
// links it interposes glibc's (the dynamic linker resolves libswiftCore's and Foundation's
// calls to the executable's definitions first) and forwards to glibc's __libc_* entry points.
#ifndef C_ALLOC_COUNTER_H
#define C_ALLOC_COUNTER_H
#include <stdint.h>

/// Allocations (every successful call of one of the functions above, realloc included) since
/// the process started.
uint64_t tinsense_alloc_count(void);

#endif
