#pragma once
// Names for the process's own threads, so `top -H`, `perf report --sort comm` and gdb tell the
// HTTP workers, the event store's writer, the relay and the projector apart (librdkafka names
// its threads rdk:*; unnamed ones all show as "labelfleet").
#include <string>
#include <string_view>

namespace lf::adapters {

// Names the calling thread; Linux keeps the first 15 bytes.
void name_this_thread(std::string_view name);

// The calling thread's name ("" if it cannot be read).
std::string this_thread_name();

}  // namespace lf::adapters
