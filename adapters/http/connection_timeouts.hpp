#pragma once
// How long an open connection may wait for its client (docs/adr/0004-http-threading.md).
// Only the client's share of a connection's time is limited: a connection waiting for our
// answer is never ended by a clock, however long a worker takes to compute it.
#include <chrono>

namespace lf::adapters::http {

struct ConnectionTimeouts {
  // No request begun since the connection opened or its last answer went out: closed without
  // a word (RFC 9112 9.3). Longer than a proxy in front keeps connections to us idle (Traefik:
  // 90 s), so that the proxy, not we, ends them and never sends a request on one we close.
  std::chrono::milliseconds idle{300'000};
  // From a request's first byte to its last: a head or a body still coming after this is
  // answered 408 and its connection ends (slow clients hold a connection each, as slowloris
  // does on purpose). The same limit holds for the client to read its answer: one not all
  // written this long after it was queued ends the connection (an answer the client does not
  // read stays in memory until then; lists are paginated, so answers are small).
  std::chrono::milliseconds request{60'000};
  // Our side shut after an answer that ends the connection, the client's not: then it is closed
  // both ways. The client had the time to read the answer; its descriptor is freed.
  std::chrono::milliseconds linger{5'000};
};

// What a connection waits for now.
enum class ConnectionWait {
  request_start,  // the first byte of its next request (idle)
  request_rest,   // the rest of a request begun
  answer,         // our answer, which a worker computes
  answer_out,     // the client to read our answer: queued, not all written
  client_close,   // the client to close, our side being shut
};

enum class TimeoutAction {
  none,
  close,           // both ways, without an answer
  answer_timeout,  // 408, then the connection ends
};

// What is done about a connection that has waited `waited` for `wait`.
TimeoutAction on_timeout(ConnectionWait wait, std::chrono::milliseconds waited, const ConnectionTimeouts& limits);

// How often the open connections are looked at: a quarter of the shortest limit, within 50 ms
// and 1 s; a connection is ended at most that much after its limit.
std::chrono::milliseconds sweep_period(const ConnectionTimeouts& limits);

}  // namespace lf::adapters::http
