#include "adapters/projection/checkpoint_poller.hpp"

#include <pqxx/pqxx>

#include "adapters/common/log.hpp"
#include "adapters/common/thread_name.hpp"
#include "adapters/postgres/connection_pool.hpp"

namespace lf::adapters::projection {

CheckpointPoller::CheckpointPoller(std::string url, ProgressBoard& board, std::chrono::milliseconds interval)
    : url_(std::move(url)), board_(board), interval_(interval), thread_([this] {
        name_this_thread("lf-checkpoints");
        run();
      }) {}

CheckpointPoller::~CheckpointPoller() {
  stop_ = true;
  thread_.join();
}

void CheckpointPoller::run() {
  std::unique_ptr<pqxx::connection> conn;
  while (!stop_) {
    try {
      if (!conn || !conn->is_open()) {
        conn = pg::connect(url_);
      }
      pqxx::read_transaction tx(*conn);
      for (const auto& r : tx.exec("SELECT projection, partition, position FROM projection_checkpoints")) {
        board_.advance(r[0].as<std::string>(), r[1].as<int>(), r[2].as<std::int64_t>());
      }
    } catch (const std::exception& e) {
      log::warn("checkpoint poller: database unreachable", {{"error", e.what()}});
      conn.reset();
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    std::this_thread::sleep_for(interval_);
  }
}

}  // namespace lf::adapters::projection
