#pragma once
// Feeds a ProgressBoard from the projection_checkpoints table, for an api process that runs
// without the projector (production layout); in `serve` the projector feeds it directly.
// It LISTENs for the projectors' checkpoint news (checkpoint_news.hpp), which names the moved
// checkpoints at their commit, and reads the whole table on start, after a reconnect, for a
// payload it cannot use, and every `full_read_interval` besides (a safety net, not the path).
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "adapters/projection/progress_board.hpp"

namespace lf::adapters::projection {

class CheckpointPoller {
 public:
  CheckpointPoller(std::string url, ProgressBoard& board, std::chrono::milliseconds full_read_interval);
  ~CheckpointPoller();  // stops within ~100 ms
  CheckpointPoller(const CheckpointPoller&) = delete;
  CheckpointPoller& operator=(const CheckpointPoller&) = delete;

  // Whole-table reads so far (start, reconnects, unusable news, the interval), for tests.
  std::uint64_t full_reads() const noexcept { return full_reads_.load(); }

 private:
  void run();
  std::string url_;
  ProgressBoard& board_;
  std::chrono::milliseconds full_read_interval_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> full_reads_{0};
  std::thread thread_;
};

}  // namespace lf::adapters::projection
