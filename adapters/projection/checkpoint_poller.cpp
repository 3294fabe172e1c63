#include "adapters/projection/checkpoint_poller.hpp"

#include <memory>

#include <pqxx/pqxx>

#include "adapters/common/log.hpp"
#include "adapters/common/thread_name.hpp"
#include "adapters/postgres/connection_pool.hpp"
#include "adapters/projection/checkpoint_news.hpp"

namespace lf::adapters::projection {
namespace {

using Clock = std::chrono::steady_clock;

// Advances the board from each notification's payload; one it cannot use asks for a full read.
class NewsReceiver final : public pqxx::notification_receiver {
 public:
  NewsReceiver(pqxx::connection_base& conn, ProgressBoard& board)
      : pqxx::notification_receiver(conn, kCheckpointChannel), board_(board) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override {
    const auto moved = decode_checkpoints(payload);
    if (!moved) {
      read_all = true;
      return;
    }
    for (const auto& c : *moved) {
      board_.advance(c.projection, c.partition, c.position);
    }
  }
  bool read_all = false;

 private:
  ProgressBoard& board_;
};

}  // namespace

CheckpointPoller::CheckpointPoller(std::string url, ProgressBoard& board, std::chrono::milliseconds full_read_interval)
    : url_(std::move(url)), board_(board), full_read_interval_(full_read_interval), thread_([this] {
        name_this_thread("lf-checkpoints");
        run();
      }) {}

CheckpointPoller::~CheckpointPoller() {
  stop_ = true;
  thread_.join();
}

void CheckpointPoller::run() {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<NewsReceiver> news;  // destroyed before conn (UNLISTEN)
  auto next_full_read = Clock::now();
  while (!stop_) {
    try {
      if (!conn || !conn->is_open()) {
        news.reset();
        conn = pg::connect(url_);
        news = std::make_unique<NewsReceiver>(*conn, board_);  // LISTEN first, then read: nothing falls between
        next_full_read = Clock::now();
      }
      if (news->read_all || Clock::now() >= next_full_read) {
        news->read_all = false;
        pqxx::read_transaction tx(*conn);
        for (const auto& r : tx.exec("SELECT projection, partition, position FROM projection_checkpoints")) {
          board_.advance(r[0].as<std::string>(), r[1].as<int>(), r[2].as<std::int64_t>());
        }
        tx.commit();
        ++full_reads_;
        next_full_read = Clock::now() + full_read_interval_;
      }
      // Notifications are handed to `news` here; 100 ms slices keep the stop prompt.
      conn->await_notification(0, 100000);
    } catch (const std::exception& e) {
      log::warn("checkpoint poller: database unreachable", {{"error", e.what()}});
      news.reset();
      conn.reset();
      for (int i = 0; i < 10 && !stop_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
}

}  // namespace lf::adapters::projection
