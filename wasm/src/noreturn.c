/* Prints one line and returns from `_start` without proc_exit, so a Bacalhau host reports exit code -1. */
#include <wasi/api.h>
#include "wasi_io.h"

__attribute__((export_name("_start"))) void _start(void) { write_str(1, "returning without proc_exit\n"); }
