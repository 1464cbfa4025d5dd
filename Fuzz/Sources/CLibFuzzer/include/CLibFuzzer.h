// libFuzzer's driver, callable from Swift. SwiftPM links an executable's entry point as
// `<module>_main`, so a fuzz target cannot rely on libFuzzer's own `main`; its entry point
// calls this instead (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
