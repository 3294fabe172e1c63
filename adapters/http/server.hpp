#pragma once
// The HTTP boundary (docs/adr/0004-http-threading.md). Pistache's reactor threads only parse
// and enqueue; handlers run on a pool of worker threads, because they block on Postgres and
// on group commit, and a blocked reactor stalls every connection it owns. Responses are
// written from the worker (Pistache queues writes to the reactor; not used for streaming).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/http/connection_timeouts.hpp"
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
  // Open connections served at once; one more is answered 503 and closed. 0: the process's
  // file-descriptor limit (raised to its hard limit at start) less kReservedDescriptors. Without
  // a cap, connections use up the descriptors: accept() then fails and Pistache 0.0.5's
  // listener retries it in a loop, a core busy and no request answered, until some close.
  std::size_t max_connections = 0;
  // How long a connection may wait for its client (connection_timeouts.hpp).
  ConnectionTimeouts timeouts;
  // stop() first lets the answers in progress go out, this long at most (see Server::stop).
  std::chrono::milliseconds drain_timeout{5000};
};

// Descriptors kept for what is not an HTTP connection: PostgreSQL and Kafka sockets, files.
inline constexpr std::size_t kReservedDescriptors = 256;
// Refused connections a client keeps open past this many over the cap are closed both ways at
// once (freeing their descriptors) instead of gracefully (which lets the client read the 503).
inline constexpr std::size_t kGracefulRefusals = kReservedDescriptors / 2;

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

// What the reactor, the workers and the sweep share about one connection (server.cpp).
struct ConnectionState;

class Server {
 public:
  Server(ServerOptions options, const Router& router, Gate* gate, metrics::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  void start();  // binds and serves in background threads
  // Drains, then stops: idle connections are closed at once, a new connection is answered 503,
  // and the answers in progress are sent (with "Connection: close") for up to
  // ServerOptions::drain_timeout; then every connection ends and the threads are joined.
  void stop();
  std::uint16_t port() const;

  void submit(std::function<void()> job);
  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  Gate* gate() const { return gate_; }
  metrics::Metrics& metrics() { return metrics_; }
  // The cap in force (ServerOptions::max_connections, or what start() derived).
  std::size_t max_connections() const { return max_connections_; }
  // Counts a new connection in and answers how many were open before it (refused ones too:
  // every connection is counted out when it closes).
  std::size_t connection_opened();
  void connection_closed();
  // Puts a new connection under the clocks of ServerOptions::timeouts.
  void track(const std::shared_ptr<ConnectionState>& connection);
  // stop() has begun.
  bool draining() const { return draining_.load(); }
  // A request was handed to a worker / its answer is out (or never will be): stop() waits for
  // the answers in progress. Once per answer each.
  void answer_begun() { in_flight_.fetch_add(1); }
  void answer_ended();
  // Runs `send` unless the connections are gone (after a drain that timed out, Pistache's
  // transport no longer exists): false when it did not run. A template: it is on every
  // request's path, and a std::function of the caller's lambda would allocate.
  template <class Send>
  bool while_sending(Send&& send) {
    const std::shared_lock lock(sending_mu_);
    if (!sending_open_) {
      return false;
    }
    std::forward<Send>(send)();
    return true;
  }

 private:
  void work();
  // Ends the connections that waited too long for their client; forgets the closed ones.
  void sweep();
  // Closes the connections that wait for a request; answers the others' requests in progress.
  void drain();
  // Runs `visit` on each open connection, under its lock.
  void each_connection(const std::function<void(ConnectionState&)>& visit);

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
  std::size_t max_connections_ = 0;
  std::atomic<std::size_t> connections_{0};
  std::mutex tracked_mu_;
  std::vector<std::weak_ptr<ConnectionState>> tracked_;
  std::thread sweeper_;
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool sweep_stopping_ = false;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  std::mutex drain_mu_;
  std::condition_variable drained_;
  std::shared_mutex sending_mu_;  // shared: a worker sending; exclusive: the transport going
  bool sending_open_ = true;
};

}  // namespace lf::adapters::http
