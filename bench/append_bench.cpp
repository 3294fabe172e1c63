// Event-store append rate: N concurrent callers appending one event each to their own
// streams through PgEventStore (group commit), for a fixed time. Prints appends/s, p50/p99
// latency and transactions used. Run by bench/command_path.sh next to pgbench's ceiling.
//
//   append_bench <database url> [callers=64] [seconds=10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "adapters/postgres/event_store.hpp"
#include "adapters/postgres/migrations.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: append_bench <database url> [callers] [seconds]\n");
    return 2;
  }
  const std::string url = argv[1];
  const int callers = argc > 2 ? std::stoi(argv[2]) : 64;
  const int seconds = argc > 3 ? std::stoi(argv[3]) : 10;
  lf::adapters::pg::migrate(url);
  lf::adapters::pg::PgEventStore store(url);
  // A payload the shape and size of role.created (~290 bytes stored, as in the pgbench script).
  const std::string payload =
      R"({"id":1,"name":"annotation reviewers of the image classification workflow","description":"Reviews labels )"
      R"(produced by the labelers of the classification workflow and routes rejected work back to them","color":"#3B82F6"})";
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(callers));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(callers));
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      for (long i = 0; !stop.load(); ++i) {
        lf::ports::AppendRequest r;
        r.stream_id = "bench-" + std::to_string(c) + "-" + std::to_string(i);
        r.stream_type = "bench";
        r.events.push_back({"bench.appended", 1, payload});
        r.metadata = {"bench", "bench", "bench", "bench"};
        const auto t0 = std::chrono::steady_clock::now();
        if (!store.append(std::move(r)).get()) {
          std::fprintf(stderr, "append failed\n");
          return;
        }
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) {
    t.join();
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) {
    all.insert(all.end(), l.begin(), l.end());
  }
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))];
  };
  std::printf("APPEND_RESULT appends=%zu seconds=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f transactions=%llu callers=%d\n",
              all.size(), elapsed, static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99),
              static_cast<unsigned long long>(store.batches_committed()), callers);
  return 0;
}
