// /api/health, /api/version and /metrics.
#include "adapters/codec/json_writer.hpp"
#include "adapters/common/log.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/projection/lag.hpp"

namespace lf::adapters::http {

void add_system_routes(Router& router, Services& services) {
  add_system_routes(router,
                    SystemServices{services.reads, services.metrics, services.projections, services.metrics_access});
}

void add_system_routes(Router& router, const SystemServices& s) {
  router.add("GET", "/api/health", Access::open, [s](HttpRequest&) {
    projection::LogStatus status;
    try {
      auto conn = s.reads.acquire();
      pqxx::read_transaction tx(*conn);
      status = projection::read_status(tx, s.projections);
    } catch (const std::exception& e) {
      log::warn("health: database unreachable", {{"error", e.what()}});
      return json(503, R"({"status":"error","database":"disconnected","error":"Database unreachable"})");
    }
    codec::JsonWriter w;
    w.begin_object().field("status", "ok").field("database", "connected");
    w.key("log").begin_object().field("head", status.head).end_object();
    w.key("relay")
        .begin_object()
        .field("position", status.relay_position)
        .field("lag", status.head - status.relay_position)
        .end_object();
    w.begin_array("projections");
    for (const auto& p : status.projections) {
      w.begin_object().field("name", p.name).field("lag", p.lag).end_object();
    }
    w.end_array();
    return json(200, w.end_object().str());
  });

  router.add("GET", "/api/version", Access::open, [](HttpRequest&) {
    codec::JsonWriter w;
    w.begin_object().field("version", LABELFLEET_VERSION).field("apiVersion", "v1").begin_array("features");
    for (const char* f : {"event-sourcing", "kafka-event-stream", "projection-replay", "roles", "system-settings",
                          "idempotent-commands", "prometheus-metrics"}) {
      w.value(f);
    }
    return json(200, w.end_array().end_object().str());
  });

  router.add("GET", "/metrics", s.metrics_access, [s](HttpRequest&) {
    // Lag gauges are read from the database at scrape time, whichever process holds the parts.
    try {
      auto conn = s.reads.acquire();
      pqxx::read_transaction tx(*conn);
      const auto status = projection::read_status(tx, s.projections);
      s.metrics.set_log_head(static_cast<double>(status.head));
      s.metrics.set_relay_lag(static_cast<double>(status.head - status.relay_position));
      for (const auto& p : status.projections) {
        s.metrics.set_projection_lag(p.name, static_cast<double>(p.lag));
      }
    } catch (const std::exception& e) {
      log::warn("metrics: database unreachable, lag gauges not refreshed", {{"error", e.what()}});
    }
    HttpResponse r{200, s.metrics.render(), "text/plain; version=0.0.4", {}};
    return r;
  });
}

}  // namespace lf::adapters::http
