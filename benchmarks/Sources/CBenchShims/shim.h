// C functions the benchmarks need that Swift's Glibc module does not expose.
#include <malloc.h>   // malloc_trim
#include <sqlite3.h>  // sqlite3_memory_used
