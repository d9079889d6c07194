// How the programs ask the C library to keep freed memory for the next run.
#pragma once

namespace attnscope {

// Blocks up to 32 MiB come from the heap instead of fresh mappings, and up to
// 1 GiB freed at the heap's top stays with the process. Without it every run
// faults in and zeroes new pages for its outputs (16 MiB per head at
// n = 65536, d = 64): local_block at n = 65536 spent 40% of its time there
// (127 -> 75 ms). Call first thing in main(); glibc only, a no-op elsewhere.
void keepFreedMemoryForReuse();

}  // namespace attnscope
