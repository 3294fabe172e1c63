#pragma once
// Configuration from the environment, read once at start.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lf::cmd {

struct Config {
  std::string database_url;                          // DATABASE_URL (required)
  std::optional<std::string> brokers;                // KAFKA_BROKERS; unset = embedded mock cluster
  std::uint16_t http_port = 8080;                    // LABELFLEET_HTTP_PORT
  std::string http_host = "127.0.0.1";               // LABELFLEET_HTTP_HOST (the image sets 0.0.0.0)
  std::string run_dir = ".run";                      // LABELFLEET_RUN_DIR
  int http_threads = 2;                              // LABELFLEET_HTTP_THREADS (Pistache reactors)
  int http_workers = 256;                            // LABELFLEET_HTTP_WORKERS (handler threads)
  std::size_t max_body = 1048576;                    // LABELFLEET_HTTP_MAX_BODY (bytes)
  std::size_t max_connections = 0;                   // LABELFLEET_HTTP_MAX_CONNECTIONS (0: derived)
  long http_idle_timeout_ms = 300000;                // LABELFLEET_HTTP_IDLE_TIMEOUT_MS
  long http_request_timeout_ms = 60000;              // LABELFLEET_HTTP_REQUEST_TIMEOUT_MS
  long http_drain_timeout_ms = 5000;                 // LABELFLEET_HTTP_DRAIN_TIMEOUT_MS
  int consistency_timeout_ms = 5000;                 // LABELFLEET_CONSISTENCY_TIMEOUT_MS
  std::string jwt_secret;                            // LABELFLEET_JWT_SECRET; empty = generated into the run dir
  std::string admin_email;                           // LABELFLEET_ADMIN_EMAIL (first admin, when no user exists)
  std::string admin_password;                        // LABELFLEET_ADMIN_PASSWORD
  std::size_t rate_limit_per_minute = 1200;          // LABELFLEET_RATE_LIMIT_PER_MINUTE (per credential)
  int principal_cache_ms = 1000;                     // LABELFLEET_PRINCIPAL_CACHE_MS (0 = off)
  std::size_t stream_cache_streams = 10000;          // LABELFLEET_STREAM_CACHE_STREAMS (0 = off)
  std::size_t stream_cache_events = 200000;          // LABELFLEET_STREAM_CACHE_EVENTS (in all streams)
  std::size_t login_attempts_per_minute = 10;        // LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE
  bool metrics_public = true;                        // LABELFLEET_METRICS_PUBLIC
  std::uint16_t metrics_port = 0;                    // LABELFLEET_METRICS_PORT (relay, projector; 0 = none)
  bool cookie_secure = false;                        // LABELFLEET_COOKIE_SECURE
  std::vector<std::string> trusted_proxies;          // LABELFLEET_TRUSTED_PROXIES, comma-separated addresses
  std::string annotator_domain = "fleet.localhost";  // LABELFLEET_ANNOTATOR_DOMAIN (annotator URLs)
};

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

inline long env_int(const char* name, long fallback, long lo, long hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    return fallback;
  }
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi) {
    throw std::invalid_argument(std::string(name) + " must be an integer from " + std::to_string(lo) + " to " +
                                std::to_string(hi));
  }
  return n;
}

inline Config load_config() {
  Config c;
  c.database_url = env_or("DATABASE_URL", "");
  if (c.database_url.empty()) {
    throw std::invalid_argument("DATABASE_URL is required (a libpq URL, e.g. postgresql://user@host:5432/labelfleet)");
  }
  if (const char* b = std::getenv("KAFKA_BROKERS"); b != nullptr && *b != '\0') {
    c.brokers = b;
  }
  c.http_port = static_cast<std::uint16_t>(env_int("LABELFLEET_HTTP_PORT", 8080, 0, 65535));
  c.http_host = env_or("LABELFLEET_HTTP_HOST", "127.0.0.1");
  c.run_dir = env_or("LABELFLEET_RUN_DIR", ".run");
  c.http_threads = static_cast<int>(env_int("LABELFLEET_HTTP_THREADS", 2, 1, 64));
  c.http_workers = static_cast<int>(env_int("LABELFLEET_HTTP_WORKERS", 256, 1, 4096));
  c.max_body = static_cast<std::size_t>(env_int("LABELFLEET_HTTP_MAX_BODY", 1048576, 1024, 64L * 1024 * 1024));
  c.max_connections = static_cast<std::size_t>(env_int("LABELFLEET_HTTP_MAX_CONNECTIONS", 0, 0, 10'000'000));
  c.http_idle_timeout_ms = env_int("LABELFLEET_HTTP_IDLE_TIMEOUT_MS", 300000, 100, 86'400'000);
  c.http_request_timeout_ms = env_int("LABELFLEET_HTTP_REQUEST_TIMEOUT_MS", 60000, 100, 3'600'000);
  c.http_drain_timeout_ms = env_int("LABELFLEET_HTTP_DRAIN_TIMEOUT_MS", 5000, 0, 600'000);
  c.consistency_timeout_ms = static_cast<int>(env_int("LABELFLEET_CONSISTENCY_TIMEOUT_MS", 5000, 0, 60000));
  c.jwt_secret = env_or("LABELFLEET_JWT_SECRET", "");
  if (!c.jwt_secret.empty() && c.jwt_secret.size() < 32) {
    throw std::invalid_argument("LABELFLEET_JWT_SECRET must be at least 32 characters");
  }
  c.admin_email = env_or("LABELFLEET_ADMIN_EMAIL", "");
  c.admin_password = env_or("LABELFLEET_ADMIN_PASSWORD", "");
  c.rate_limit_per_minute = static_cast<std::size_t>(env_int("LABELFLEET_RATE_LIMIT_PER_MINUTE", 1200, 1, 10000000));
  c.principal_cache_ms = static_cast<int>(env_int("LABELFLEET_PRINCIPAL_CACHE_MS", 1000, 0, 60000));
  c.stream_cache_streams = static_cast<std::size_t>(env_int("LABELFLEET_STREAM_CACHE_STREAMS", 10000, 0, 10000000));
  c.stream_cache_events = static_cast<std::size_t>(env_int("LABELFLEET_STREAM_CACHE_EVENTS", 200000, 0, 100000000));
  c.login_attempts_per_minute =
      static_cast<std::size_t>(env_int("LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE", 10, 1, 100000));
  c.metrics_public = env_or("LABELFLEET_METRICS_PUBLIC", "true") != "false";
  c.metrics_port = static_cast<std::uint16_t>(env_int("LABELFLEET_METRICS_PORT", 0, 0, 65535));
  c.cookie_secure = env_or("LABELFLEET_COOKIE_SECURE", "false") == "true";
  c.annotator_domain = env_or("LABELFLEET_ANNOTATOR_DOMAIN", "fleet.localhost");
  const auto proxies = env_or("LABELFLEET_TRUSTED_PROXIES", "");
  for (std::size_t start = 0; start < proxies.size();) {
    const auto end = std::min(proxies.find(',', start), proxies.size());
    if (end > start) {
      c.trusted_proxies.push_back(proxies.substr(start, end - start));
    }
    start = end + 1;
  }
  return c;
}

}  // namespace lf::cmd
