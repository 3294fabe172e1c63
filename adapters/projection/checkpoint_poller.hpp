#pragma once
// Feeds a ProgressBoard from the projection_checkpoints table, for an api process that runs
// without the projector (production layout); in `serve` the projector feeds it directly.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "adapters/projection/progress_board.hpp"

namespace lf::adapters::projection {

class CheckpointPoller {
 public:
  CheckpointPoller(std::string url, ProgressBoard& board, std::chrono::milliseconds interval);
  ~CheckpointPoller();
  CheckpointPoller(const CheckpointPoller&) = delete;
  CheckpointPoller& operator=(const CheckpointPoller&) = delete;

 private:
  void run();
  std::string url_;
  ProgressBoard& board_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace lf::adapters::projection
