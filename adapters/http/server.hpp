#pragma once
// The HTTP boundary (docs/adr/0004-http-threading.md). Pistache's reactor threads only parse
// and enqueue; handlers run on a pool of worker threads, because they block on Postgres and
// on group commit, and a blocked reactor stalls every connection it owns. Responses are
// written from the worker (Pistache queues writes to the reactor; not used for streaming).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/router.hpp"
#include "adapters/metrics/metrics.hpp"

namespace Pistache::Http {
class Endpoint;
}

namespace lf::adapters::http {

struct ServerOptions {
  std::uint16_t port = 8080;
  std::string address = "127.0.0.1";
  int reactor_threads = 2;
  int workers = 64;
  std::size_t max_body = std::size_t{1024} * 1024;  // larger bodies get 413
  // Peers whose X-Forwarded-For is believed (Traefik in compose); from anyone else the header
  // is ignored, or a client could pick the address its login attempts are counted under.
  std::vector<std::string> trusted_proxies;
};

// The door in front of every route: authenticates the caller for the route's Access and
// applies rate limits (adapters/auth/gate.hpp).
class Gate {
 public:
  virtual ~Gate() = default;
  // nullopt lets the request through (with request.principal set when authenticated);
  // otherwise the refusal to send (401, 403, 429).
  virtual std::optional<HttpResponse> admit(HttpRequest& request, Access access) = 0;
  // Adds what the caller should know to an answer (X-RateLimit-* headers).
  virtual void decorate(const HttpRequest& request, HttpResponse& response) = 0;
};

// Runs one request through the router, the gate and the exception boundary: nothing internal
// (SQL, exception text) reaches the caller. Public so tests can drive handlers without a socket.
HttpResponse dispatch(const Router& router, Gate* gate, HttpRequest& request, std::string& route_label);

class Server {
 public:
  Server(ServerOptions options, const Router& router, Gate* gate, metrics::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  void start();  // binds and serves in background threads
  void stop();
  std::uint16_t port() const;

  void submit(std::function<void()> job);
  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  Gate* gate() const { return gate_; }
  metrics::Metrics& metrics() { return metrics_; }

 private:
  void work();

  ServerOptions options_;
  const Router& router_;
  Gate* gate_;
  metrics::Metrics& metrics_;
  std::shared_ptr<Pistache::Http::Endpoint> endpoint_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lf::adapters::http
