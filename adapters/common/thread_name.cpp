#include "adapters/common/thread_name.hpp"

#include <array>

#include <pthread.h>

namespace lf::adapters {

namespace {
constexpr std::size_t kMaxNameBytes = 15;  // the kernel's TASK_COMM_LEN (16) less the terminator
}  // namespace

void name_this_thread(std::string_view name) {
  const std::string truncated(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), truncated.c_str());
}

std::string this_thread_name() {
  std::array<char, kMaxNameBytes + 1> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) {
    return "";
  }
  return buffer.data();
}

}  // namespace lf::adapters
