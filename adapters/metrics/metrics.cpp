#include "adapters/metrics/metrics.hpp"

#include <sstream>

#include <prometheus/text_serializer.h>

namespace lf::adapters::metrics {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("labelfleet_http_requests_total")
                    .Help("HTTP requests by route pattern, method and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("labelfleet_http_request_duration_seconds")
                   .Help("HTTP request latency by route pattern")
                   .Register(*registry_)),
      connections_(prometheus::BuildGauge()
                       .Name("labelfleet_http_connections")
                       .Help("HTTP connections open (refused ones too, until they close)")
                       .Register(*registry_)),
      timeouts_(prometheus::BuildCounter()
                    .Name("labelfleet_http_connection_timeouts_total")
                    .Help("HTTP connections ended because the client kept them waiting, by what for: idle (a "
                          "request), request (the rest of one; answered 408), write (the client to read its answer), "
                          "linger (the client's close)")
                    .Register(*registry_)),
      events_(prometheus::BuildCounter()
                  .Name("labelfleet_events_appended_total")
                  .Help("Events committed to the event store by this process, by stream type")
                  .Register(*registry_)),
      head_(prometheus::BuildGauge()
                .Name("labelfleet_log_head_position")
                .Help("Global position of the newest committed event")
                .Register(*registry_)),
      relay_lag_(prometheus::BuildGauge()
                     .Name("labelfleet_relay_lag_positions")
                     .Help("Committed events not yet confirmed published to Kafka")
                     .Register(*registry_)),
      projection_lag_(prometheus::BuildGauge()
                          .Name("labelfleet_projection_lag_events")
                          .Help("Events of a projection's streams committed but not yet applied to its read model")
                          .Register(*registry_)),
      cache_reads_(prometheus::BuildCounter()
                       .Name("labelfleet_stream_cache_reads_total")
                       .Help("Streams read to decide a command, by result: hit (from memory) or miss (from the store)")
                       .Register(*registry_)),
      cache_reruns_(prometheus::BuildCounter()
                        .Name("labelfleet_stream_cache_reruns_total")
                        .Help("Command attempts run again with fresh reads because a cached stream had moved")
                        .Register(*registry_)),
      projector_events_(prometheus::BuildCounter()
                            .Name("labelfleet_projector_events_total")
                            .Help("(event, projection) pairs this process's projector handled, by path (kafka, feed: "
                                  "serve's local feed) and outcome (applied, skipped, deferred, rejected)")
                            .Register(*registry_)) {}

void Metrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  requests_.Add({{"route", route}, {"method", method}, {"status", std::to_string(status)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1,   0.25,   0.5,   1,    2.5,   5};
  latency_.Add({{"route", route}}, kBuckets).Observe(seconds);
}

void Metrics::events_appended(std::size_t n, const std::string& stream_type) {
  events_.Add({{"stream_type", stream_type}}).Increment(static_cast<double>(n));
}

void Metrics::http_connection_opened() { connections_.Add({}).Increment(); }
void Metrics::http_connection_closed() { connections_.Add({}).Decrement(); }
void Metrics::http_connection_timed_out(const std::string& wait) { timeouts_.Add({{"wait", wait}}).Increment(); }

void Metrics::set_log_head(double position) { head_.Add({}).Set(position); }
void Metrics::set_relay_lag(double positions) { relay_lag_.Add({}).Set(positions); }
void Metrics::set_projection_lag(const std::string& projection, double positions) {
  projection_lag_.Add({{"projection", projection}}).Set(positions);
}

void Metrics::stream_cache_read(bool hit) { cache_reads_.Add({{"result", hit ? "hit" : "miss"}}).Increment(); }
void Metrics::stream_cache_rerun(const std::string& reason) { cache_reruns_.Add({{"reason", reason}}).Increment(); }

void Metrics::projector_events(const std::string& path, const std::string& outcome, std::uint64_t total) {
  const std::lock_guard lock(mu_);
  auto& shown = projector_totals_[{path, outcome}];
  auto& counter = projector_events_.Add({{"path", path}, {"outcome", outcome}});
  if (total > shown) {
    counter.Increment(static_cast<double>(total - shown));
    shown = total;
  }
}

void Metrics::on_scrape(std::function<void(Metrics&)> refresh) {
  const std::lock_guard lock(mu_);
  refreshers_.push_back(std::move(refresh));
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> refreshers;
  {
    const std::lock_guard lock(mu_);
    refreshers = refreshers_;
  }
  for (const auto& refresh : refreshers) {
    refresh(*this);
  }
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace lf::adapters::metrics
