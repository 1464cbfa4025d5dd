// Header-only module: LLVMFuzzerRunDriver comes from the libFuzzer runtime that
// `-sanitize=fuzzer` links.
#include "CLibFuzzer.h"
