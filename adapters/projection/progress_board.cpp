#include "adapters/projection/progress_board.hpp"

namespace lf::adapters::projection {

void ProgressBoard::advance(const std::string& projection, int partition, std::int64_t position) {
  {
    const std::lock_guard lock(mu_);
    auto& v = applied_[{projection, partition}];
    if (position <= v) {
      return;
    }
    v = position;
  }
  cv_.notify_all();
}

bool ProgressBoard::wait_for(const std::string& projection, int partition, std::int64_t position,
                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return applied_[{projection, partition}] >= position; });
}

std::int64_t ProgressBoard::applied(const std::string& projection, int partition) {
  const std::lock_guard lock(mu_);
  return applied_[{projection, partition}];
}

}  // namespace lf::adapters::projection
