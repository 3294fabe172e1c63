#pragma once
// Prometheus metrics of one process (prometheus-cpp core; rendered by GET /metrics).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace lf::adapters::metrics {

class Metrics {
 public:
  Metrics();
  void observe_request(const std::string& route, const std::string& method, int status, double seconds);
  void events_appended(std::size_t n, const std::string& stream_type);
  // Open HTTP connections, and those the server ended because their client kept them waiting,
  // by what it waited for: "idle" (a request), "request" (the rest of one: answered 408),
  // "write" (the client to read its answer), "linger" (the client to close an ended connection).
  void http_connection_opened();
  void http_connection_closed();
  void http_connection_timed_out(const std::string& wait);
  void set_log_head(double position);
  void set_relay_lag(double positions);
  void set_projection_lag(const std::string& projection, double positions);
  // A command's read of a stream: served from the stream cache (hit) or read from the store.
  void stream_cache_read(bool hit);
  // A command attempt run again with fresh reads: "conflict" (its append met a version this
  // process did not write) or "confirm" (an answer without append rested on a moved stream).
  void stream_cache_rerun(const std::string& reason);
  // Totals a projector runtime keeps, by path ("kafka", "feed": serve's local feed) and outcome
  // ("applied", "skipped", "deferred", "rejected"): the counter moves to `total`.
  void projector_events(const std::string& path, const std::string& outcome, std::uint64_t total);
  // Run before each scrape: sources that keep their own totals (the projector runtimes) report.
  void on_scrape(std::function<void(Metrics&)> refresh);
  std::string render();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& connections_;
  prometheus::Family<prometheus::Counter>& timeouts_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Gauge>& head_;
  prometheus::Family<prometheus::Gauge>& relay_lag_;
  prometheus::Family<prometheus::Gauge>& projection_lag_;
  prometheus::Family<prometheus::Counter>& cache_reads_;
  prometheus::Family<prometheus::Counter>& cache_reruns_;
  prometheus::Family<prometheus::Counter>& projector_events_;
  std::mutex mu_;                                                                  // the two below
  std::map<std::pair<std::string, std::string>, std::uint64_t> projector_totals_;  // what the counters show
  std::vector<std::function<void(Metrics&)>> refreshers_;
};

}  // namespace lf::adapters::metrics
