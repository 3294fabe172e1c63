#include "adapters/http/server.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <pqxx/except>
#include <sys/resource.h>
#include <sys/socket.h>

#include "adapters/common/ascii.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/common/log.hpp"
#include "adapters/common/thread_name.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/request_head.hpp"
#include "adapters/http/uri.hpp"

namespace lf::adapters::http {
namespace {

// A response header with a name chosen at run time (Pistache drops addRaw on responses).
class NamedHeader final : public Pistache::Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return 0; }
#endif

 private:
  std::string name_;
  std::string value_;
};

std::string method_name(Pistache::Http::Method m) { return Pistache::Http::methodString(m); }

bool valid_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

// What the reactor, the workers and the sweep share about one connection. The flags and the
// clock are read and written under `mu`; the byte counts and the parser are only used on the
// connection's reactor thread.
struct ConnectionState {
  ConnectionState(std::weak_ptr<Pistache::Tcp::Peer> of, int descriptor) : peer(std::move(of)), fd(descriptor) {}

  std::mutex mu;
  bool answering = false;     // a request is with a worker and its answer is not sent yet
  bool closing = false;       // the connection ends after the answer in progress (or a refusal):
                              // what else arrives on it is dropped until the client closes it
  bool disconnected = false;  // Pistache is closing the descriptor: it must not be touched any more
  bool receiving = false;     // a request has begun to arrive and is not complete
  bool writing = false;       // an answer is queued and not all written yet
  bool shut = false;          // our side is shut; the client's is not known to be
  std::uint64_t answers = 0;  // requests handed to workers so far
  std::uint64_t counted = 0;  // which of them is among the server's answers in flight (0: none)
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();  // of the current wait
  const std::weak_ptr<Pistache::Tcp::Peer> peer;
  const int fd;

  std::size_t fed = 0;         // bytes given to the parser since its last request
  std::size_t header_end = 0;  // where that request's head ends among them (0: not yet)
  std::string head;            // that request's bytes until its head is complete
  bool continued = false;      // the request's expectation (if any) has been answered

  // What the connection waits for now, for its clock (connection_timeouts.hpp). Under `mu`.
  ConnectionWait wait() const {
    if (shut) {
      return ConnectionWait::client_close;
    }
    if (writing) {
      return ConnectionWait::answer_out;
    }
    if (answering || closing) {
      return ConnectionWait::answer;
    }
    return receiving ? ConnectionWait::request_rest : ConnectionWait::request_start;
  }

  // Shuts our side (`how`: SHUT_WR after an answer that ends the connection, SHUT_RDWR to end
  // it both ways; the reactor then reads the end of the input and closes the descriptor), unless
  // Pistache is closing the descriptor: a number reused by a newer connection is never shut.
  // What else arrives is dropped. Under `mu`.
  void shut_down(int how) {
    if (disconnected) {
      return;
    }
    ::shutdown(fd, how);
    closing = true;
    shut = true;
    since = std::chrono::steady_clock::now();
  }

  // The request is complete: counting starts again for the next one.
  void next_request() {
    fed = 0;
    header_end = 0;
    continued = false;
  }
};

namespace {

using namespace Pistache;

constexpr const char* kConnectionState = "lf.connection";

std::shared_ptr<ConnectionState> state_of(const std::shared_ptr<Tcp::Peer>& peer) {
  return std::static_pointer_cast<ConnectionState>(peer->tryGetData(kConnectionState));
}

// Counts bytes given to the parser and, until the request's head is complete, keeps a copy of
// it: to tell what follows a complete request in the same read apart from it, and to check the
// head (request_head.hpp). What is wrong with the head, as soon as that can be told.
std::optional<std::string> take_in(ConnectionState& s, const char* data, std::size_t len) {
  s.fed += len;
  if (s.header_end != 0) {
    return std::nullopt;
  }
  const auto checked = s.head.size();
  s.head.append(data, len);
  const auto end = s.head.find("\r\n\r\n", checked >= 3 ? checked - 3 : 0);
  const std::string_view head = std::string_view(s.head).substr(0, end == std::string::npos ? s.head.size() : end + 4);
  if (bare_line_feed(head, checked) != std::string_view::npos) {
    return "lines of the head must end with CRLF";
  }
  if (end == std::string::npos) {
    return std::nullopt;
  }
  s.header_end = head.size();
  auto problem = malformed_head(head);
  s.head.clear();
  if (s.head.capacity() > 4096) {
    std::string().swap(s.head);  // an idle connection keeps no large buffer
  }
  return problem;
}

// Our side of the connection is shut once an answer that ends it is out. Pistache tells the
// handler of a disconnection before it closes the descriptor, and both take `mu`: a descriptor
// number reused by a newer connection is never shut.
void shut(const std::shared_ptr<ConnectionState>& state, int how) {
  const std::lock_guard lock(state->mu);
  state->shut_down(how);
}

// The connection's answer `answer` (0: whichever is counted) is no longer in flight: written,
// failed, dropped, or its connection gone (Pistache then drops a write still pending without
// settling its promise). Counted out once, whichever comes first; a continuation that runs late
// does not count out the next answer.
void answer_done(Server& server, const std::shared_ptr<ConnectionState>& state, std::uint64_t answer) {
  {
    const std::lock_guard lock(state->mu);
    if (state->counted == 0 || (answer != 0 && state->counted != answer)) {
      return;
    }
    state->counted = 0;
  }
  server.answer_ended();
}

// An answer that keeps its connection is all written: the connection's clock now runs for the
// client's next request, unless that has begun already (or, the continuation running late, is
// being answered).
void answer_written(const std::shared_ptr<ConnectionState>& state, std::uint64_t answer) {
  const std::lock_guard lock(state->mu);
  if (state->answers != answer) {
    return;
  }
  state->writing = false;
  if (!state->receiving) {
    state->since = std::chrono::steady_clock::now();
  }
}

// RFC 9112 9.3: an HTTP/1.1 connection persists unless the request says "close"; an HTTP/1.0
// one only when it says "keep-alive".
bool persists(const Http::Request& request) {
  if (const auto connection = request.headers().tryGet<Http::Header::Connection>()) {
    if (connection->control() == Http::ConnectionControl::Close) {
      return false;
    }
    if (connection->control() == Http::ConnectionControl::KeepAlive) {
      return true;
    }
  }
  return request.version() == Http::Version::Http11;
}

// An answer's status line and header fields, written by hand where Pistache's ResponseWriter
// cannot be used.
std::string raw_head(Http::Version version, const HttpResponse& response, bool closes, std::size_t content_length) {
  std::string raw = std::string(Http::versionString(version)) + " " + std::to_string(response.status) + " " +
                    Http::codeString(static_cast<Http::Code>(response.status)) + "\r\n";
  raw += "Content-Type: " + response.content_type + "\r\n";
  raw += std::string("Connection: ") + (closes ? "Close" : "Keep-Alive") + "\r\n";
  for (const auto& [name, value] : response.headers) {
    raw.append(name).append(": ").append(value).append("\r\n");
  }
  raw += "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
  return raw;
}

// A worker's answer, written whole by hand and sent with Peer::send. Not with Pistache 0.0.5's
// ResponseWriter::send: the promise it returns is chained, and a chained promise is resolved on
// the reactor thread without the lock that then() takes, so a continuation added from the
// worker (to shut the connection, or to start its idle clock) raced with the resolution and
// crashed the server (SEGV in the promise's list of continuations, caught under load by the
// crash report). The promise of Peer::send is resolved under that lock.
// To a HEAD request the answer is GET's status and header fields, Content-Length included,
// without the content (RFC 9110 9.3.2).
RawBuffer raw_answer(Http::Version version, const HttpResponse& response, bool closes, bool head_only) {
  auto raw = raw_head(version, response, closes, response.body.size());
  if (!head_only) {
    raw += response.body;
  }
  const auto size = raw.size();
  return {std::move(raw), size};
}

bool is_chunked(const Http::Request& request) {
  const auto encoding = request.headers().tryGet<Http::Header::TransferEncoding>();
  return encoding && encoding->encoding() == Http::Header::Encoding::Chunked;
}

std::string body_too_large(std::size_t max_body) {
  return "Request body exceeds " + std::to_string(max_body) + " bytes";
}

// Room in the parser's buffer for a request's line and headers, above the body limit.
constexpr std::size_t kHeaderAllowance = std::size_t{64} * 1024;

class PistacheHandler final : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)
  explicit PistacheHandler(Server* server = nullptr) : server_(server) {}

  // Pistache's own Http::Handler::onInput, taken over so that what Pistache refuses by itself
  // is answered in the contract's error shape, with a request id, like everything else: a
  // request larger than the parser's buffer (its 413 was plain text) and bytes that are not
  // HTTP (its 400 was plain text too, and a failure inside a handler answered 500 with the
  // exception's text). It is a private virtual of Pistache 0.0.5: overriding it is allowed,
  // calling it is not, so the steps of a complete request are Pistache's, written out here.
  //
  // One request per connection is answered at a time, so answers go out in the order of the
  // requests. A client that pipelines (sends a request before the previous answer is out) gets
  // that answer with "Connection: close", and the connection then ends; RFC 9112 9.3.2 has it
  // retry the unanswered requests. Pistache 0.0.5 itself dropped them silently: the client
  // waited for answers that never came.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    const auto connection = state_of(peer);
    {
      const std::lock_guard lock(connection->mu);
      if (connection->closing) {
        return;
      }
      if (connection->answering) {
        connection->closing = true;  // pipelined behind an answer in progress
        return;
      }
      if (!connection->receiving) {
        connection->receiving = true;  // the request's clock starts at its first byte
        connection->since = std::chrono::steady_clock::now();
      }
    }
    const auto parser = getParser(peer);
    auto& request = parser->request;
    if (auto problem = take_in(*connection, buffer, len)) {
      refuse(peer, request.version(), 400, "Malformed HTTP request: " + *problem, "malformed_request");
      return;
    }
    Http::Private::State state{};
    try {
      if (!parser->feed(buffer, len)) {
        refuse(peer, request.version(), 413, body_too_large(server_->options().max_body), "body_too_large");
        return;
      }
      state = parser->parse();
    } catch (const Http::HttpError& e) {
      refuse(peer, request.version(), e.code() >= 400 && e.code() < 500 ? e.code() : 400,
             "Malformed HTTP request: " + e.reason(), "malformed_request");
      return;
    } catch (const std::exception& e) {
      // Thrown by the parser on what it was sent (std::stoull on "Content-Length: -5" or one of
      // 20 digits): the client's fault, and the text is the parser's internals.
      log::info("malformed request", {{"error", e.what()}});
      refuse(peer, request.version(), 400, "Malformed HTTP request", "malformed_request");
      return;
    }
    if (state != Http::Private::State::Done && connection->header_end != 0 && !connection->continued) {
      connection->continued = true;
      if (answer_expectation(peer, request)) {
        return;
      }
    }
    try {
      if (state == Http::Private::State::Done) {
        // Bytes after this request in what was read are a pipelined request. With a chunked
        // body they cannot be told from it (the parser keeps only the decoded body), so such a
        // request ends its connection too.
        const bool chunked = is_chunked(request);
        const bool pipelined = !chunked && connection->fed > connection->header_end + request.body().size();
        {
          const std::lock_guard lock(connection->mu);
          if (connection->closing) {
            return;  // its time ran out while it was parsed: the sweep has answered 408
          }
          connection->receiving = false;
          connection->answering = true;
          connection->closing = !persists(request) || chunked || pipelined;
        }
        connection->next_request();
        Http::ResponseWriter writer(request.version(), transport(), this, peer);
        request.copyAddress(peer->address());
        onRequest(request, std::move(writer));
        parser->reset();
      }
    } catch (const std::exception& e) {
      log::error("request not handled", {{"error", e.what()}});  // may hold internals: log only
      refuse(peer, request.version(), 500, "Internal server error", "internal_error");
    }
  }

  // Pistache's Http::Handler::onConnection (a private virtual too: its one step, written out)
  // gives the peer its parser; then the connection is counted against the cap.
  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
    auto connection = std::make_shared<ConnectionState>(peer, peer->fd());
    peer->putData(kConnectionState, connection);
    server_->track(connection);
    const auto open = server_->connection_opened();
    if (open >= server_->max_connections()) {
      // Our side is closed once the answer is out and the client's input dropped until it
      // closes, so that its request cannot draw a reset that destroys the answer. Clients
      // that keep refused connections open would use up the descriptors all the same: past
      // kGracefulRefusals of them, the connection is closed both ways at once.
      const bool graceful = open < server_->max_connections() + kGracefulRefusals;
      refuse(peer, Http::Version::Http11, 503, "Too many connections; retry later", "too_many_connections",
             graceful ? SHUT_WR : SHUT_RDWR);
    } else if (server_->draining()) {
      // Pistache 0.0.5 cannot stop accepting without stopping everything: the client is told
      // to go elsewhere or come back.
      refuse(peer, Http::Version::Http11, 503, "Server is shutting down; retry", "shutting_down");
    }
  }

  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    const auto connection = state_of(peer);
    if (connection) {
      const std::lock_guard lock(connection->mu);
      connection->disconnected = true;  // from now on no worker queues an answer for it
    }
    // An answer a worker queued for this connection is written (or fails) now, while the
    // descriptor is still this connection's. Pistache closes it next; a new connection may be
    // given the same number, on this same reactor, and Pistache's queue of writes knows a
    // connection only by that number: the answer would have gone to the new client.
    transport()->flush();
    if (connection) {
      answer_done(*server_, connection, 0);
    }
    server_->connection_closed();
  }

  void onRequest(const Http::Request& req, Http::ResponseWriter writer) override {
    static thread_local bool named = false;  // Pistache's reactor threads, for top -H and perf
    if (!named) {
      name_this_thread("lf-http-io");
      named = true;
    }
    const auto started = std::chrono::steady_clock::now();
    HttpRequest r;
    r.method = method_name(req.method());
    r.path = origin_path(req.resource());
    for (auto it = req.query().parameters_begin(); it != req.query().parameters_end(); ++it) {
      r.query[it->first] = it->second;
    }
    for (const auto& [name, raw] : req.headers().rawList()) {
      r.headers[ascii::lowered(name)] = raw.value();
    }
    // Headers Pistache knows (Authorization, Content-Type, …) are parsed into typed objects
    // and absent from rawList(); write them back to text.
    for (const auto& typed : req.headers().list()) {
      std::ostringstream value;
      typed->write(value);
      r.headers[ascii::lowered(typed->name())] = value.str();
    }
    for (const auto& cookie : req.cookies()) {
      r.cookies[cookie.name] = cookie.value;
    }
    r.body = req.body();
    r.client_address = req.address().host();
    const auto& trusted = server_->options().trusted_proxies;
    if (const auto forwarded = r.header("x-forwarded-for");
        forwarded && std::find(trusted.begin(), trusted.end(), r.client_address) != trusted.end()) {
      // The proxy appends the address it saw last: that is the one it vouches for.
      const auto comma = forwarded->rfind(',');
      auto last = comma == std::string::npos ? *forwarded : forwarded->substr(comma + 1);
      last.erase(0, last.find_first_not_of(' '));
      if (!last.empty() && last.size() <= 64) {
        r.client_address = last;
      }
    }
    const auto given = r.header("x-request-id");
    r.request_id = given && valid_request_id(*given) ? *given : new_uuid();

    auto connection = state_of(writer.peer());
    const auto version = req.version();
    Server* server = server_;
    std::uint64_t answer = 0;
    {
      const std::lock_guard lock(connection->mu);
      answer = ++connection->answers;
      connection->counted = answer;
    }
    server_->answer_begun();
    server_->submit([server, started, connection = std::move(connection), answer, version, r = std::move(r)]() mutable {
      std::string route;
      HttpResponse response;
      try {
        if (r.body.size() > server->options().max_body) {
          route = "body_too_large";
          response = error(413, body_too_large(server->options().max_body));
        } else {
          response = dispatch(server->router(), server->gate(), r, route);
        }
      } catch (const std::exception& e) {
        // Every request is answered: its connection waits for this answer before it reads on.
        log::error("request not handled", {{"request_id", r.request_id}, {"error", e.what()}});
        response = error(500, "Internal server error (request " + r.request_id + ")");
      }
      response.headers.emplace_back("X-Request-Id", r.request_id);
      // Sent under the connection's lock: the connection's next request is read only after
      // this answer is queued, so the two answers cannot overtake each other.
      bool closes = false;
      std::optional<Async::Promise<ssize_t>> sent;
      server->while_sending([&] {
        const std::lock_guard lock(connection->mu);
        // While the server stops, an answer ends its connection.
        connection->closing = connection->closing || server->draining();
        closes = connection->closing;
        connection->answering = false;
        connection->writing = true;
        connection->since = std::chrono::steady_clock::now();
        const auto peer = connection->peer.lock();
        if (!peer || connection->disconnected) {
          return;
        }
        sent = peer->send(raw_answer(version, response, closes, r.method == "HEAD"));
      });
      if (sent) {
        sent->then(
            [server, connection, answer, closes](ssize_t) {
              if (closes) {
                shut(connection, SHUT_WR);
              } else {
                answer_written(connection, answer);
              }
              answer_done(*server, connection, answer);
            },
            // A write that failed leaves nothing on the connection to rely on.
            [server, connection, answer](const std::exception_ptr&) {
              shut(connection, SHUT_RDWR);
              answer_done(*server, connection, answer);
            });
      } else {
        answer_done(*server, connection, answer);
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      server->metrics().observe_request(route, r.method, response.status, seconds);
      log::write(response.status >= 500 ? log::Level::error : log::Level::info, "request",
                 {{"request_id", r.request_id},
                  {"method", r.method},
                  {"path", r.path},
                  {"route", route},
                  log::num("status", response.status),
                  {"duration_ms", std::to_string(seconds * 1000.0), true}});
    });
  }

 private:
  // A request whose head is in and whose body is not may carry "Expect: 100-continue" (curl
  // sends it for large bodies): the client waits for "100 Continue" (about a second, then sends
  // anyway) or for a final answer, so that a body refused anyway need not be sent (RFC 9110
  // 10.1.1). One over the body limit gets its 413 now. True when the request was refused.
  bool answer_expectation(const std::shared_ptr<Tcp::Peer>& peer, const Http::Request& request) {
    // The raw value: Pistache 0.0.5's typed Expect header parses "100-continue" as Ext.
    const auto expect = request.headers().tryGetRaw("Expect");
    if (!expect || !ascii::equal_ignoring_case(expect->value(), "100-continue") ||
        request.version() != Http::Version::Http11) {
      return false;
    }
    const auto length = request.headers().tryGet<Http::Header::ContentLength>();
    if (length && length->value() > server_->options().max_body) {
      refuse(peer, request.version(), 413, body_too_large(server_->options().max_body), "body_too_large");
      return true;
    }
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    peer->send(RawBuffer(kContinue.data(), kContinue.size()));
    return false;
  }

  // Answers on the reactor thread, closes our side once the answer is out (`how`: SHUT_WR, or
  // SHUT_RDWR for the whole connection), and drops the rest of the connection's input: after
  // such a request nothing later on it can be framed.
  void refuse(const std::shared_ptr<Tcp::Peer>& peer, Http::Version version, int status, const std::string& message,
              const std::string& route, int how = SHUT_WR) {
    getParser(peer)->reset();
    const auto connection = state_of(peer);
    {
      const std::lock_guard lock(connection->mu);
      if (connection->closing) {
        return;  // the sweep has answered 408 meanwhile
      }
      connection->closing = true;
    }
    const auto request_id = new_uuid();
    const auto response = error(status, message);
    Http::ResponseWriter writer(version, transport(), this, peer);
    writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
    writer.headers().add(std::make_shared<NamedHeader>("X-Request-Id", request_id));
    if (status == 503) {
      writer.headers().add(std::make_shared<NamedHeader>("Retry-After", std::to_string(kRetryAfterSeconds)));
    }
    writer
        .send(static_cast<Http::Code>(status), response.body, Http::Mime::MediaType::fromString(response.content_type))
        .then([connection, how](ssize_t) { shut(connection, how); }, Async::IgnoreException);
    server_->metrics().observe_request(route, "unknown", status, 0.0);  // the request line may not have parsed
    log::write(log::Level::info, "request refused",
               {{"request_id", request_id},
                log::num("status", status),
                {"error", message},
                {"client_address", peer->address().host()}});
  }

  Server* server_;
};

HttpResponse dispatch_method(const Router& router, Gate* gate, HttpRequest& request, std::string& route_label) {
  // What a URL may carry: percent-encoded UTF-8 without U+0000 (RFC 3986). Raw bytes that are
  // not UTF-8 went on to PostgreSQL, which refused them: a 500.
  static constexpr const char* kUrlText = "must be UTF-8 text, percent-encoded as RFC 3986 has it, without U+0000";
  const auto match = router.match(request);
  route_label = match.route;
  if (match.malformed_path) {
    return error(400, "Malformed request path", {{"path", kUrlText}});
  }
  if (auto query = decoded_query(request.query)) {
    request.query = std::move(*query);
  } else {
    return error(400, "Invalid query parameters", {{query.error(), kUrlText}});
  }
  if (match.handler == nullptr) {
    if (!match.allowed.empty()) {
      std::string allow;
      for (const auto& m : match.allowed) {
        allow += (allow.empty() ? "" : ", ") + m + (m == "GET" ? ", HEAD" : "");
      }
      auto r = error(405, "Method " + request.method + " is not allowed on " + request.path);
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    return error(404, "No route for " + request.method + " " + request.path);
  }
  try {
    if (gate != nullptr) {
      if (auto refused = gate->admit(request, match.access)) {
        gate->decorate(request, *refused);  // a refused call still spent the caller's budget
        return *refused;
      }
    }
    if (auto refused = refused_idempotency_key(request)) {
      if (gate != nullptr) {
        gate->decorate(request, *refused);
      }
      return *refused;
    }
    auto response = (*match.handler)(request);
    if (gate != nullptr) {
      gate->decorate(request, response);
    }
    return response;
  } catch (const pqxx::broken_connection& e) {
    log::error("database unreachable", {{"request_id", request.request_id}, {"error", e.what()}});
    return unavailable("Database unavailable; retry later");
  } catch (const std::exception& e) {
    // The text may hold SQL or internals: it goes to the log only.
    log::error("unhandled error", {{"request_id", request.request_id}, {"error", e.what()}});
    return error(500, "Internal server error (request " + request.request_id + ")");
  } catch (...) {
    log::error("unhandled non-standard exception", {{"request_id", request.request_id}});
    return error(500, "Internal server error (request " + request.request_id + ")");
  }
}

}  // namespace

HttpResponse dispatch(const Router& router, Gate* gate, HttpRequest& request, std::string& route_label) {
  if (request.method != "HEAD") {
    return dispatch_method(router, gate, request, route_label);
  }
  // RFC 9110 9.3.2: HEAD is GET without the content. The answer is GET's, and the body is left
  // out when it is sent.
  request.method = "GET";
  auto response = dispatch_method(router, gate, request, route_label);
  request.method = "HEAD";
  return response;
}

Server::Server(ServerOptions options, const Router& router, Gate* gate, metrics::Metrics& metrics)
    : options_(std::move(options)), router_(router), gate_(gate), metrics_(metrics) {}

Server::~Server() { stop(); }

std::size_t Server::connection_opened() {
  metrics_.http_connection_opened();
  return connections_.fetch_add(1);
}

void Server::connection_closed() {
  metrics_.http_connection_closed();
  connections_.fetch_sub(1);
}

void Server::track(const std::shared_ptr<ConnectionState>& connection) {
  const std::lock_guard lock(tracked_mu_);
  tracked_.push_back(connection);
}

void Server::answer_ended() {
  if (in_flight_.fetch_sub(1) == 1 && draining_.load()) {
    const std::lock_guard lock(drain_mu_);
    drained_.notify_all();
  }
}

void Server::each_connection(const std::function<void(ConnectionState&)>& visit) {
  const std::lock_guard tracked_lock(tracked_mu_);
  for (const auto& tracked : tracked_) {
    if (const auto connection = tracked.lock()) {
      const std::lock_guard lock(connection->mu);
      visit(*connection);
    }
  }
}

void Server::drain() {
  const auto started = std::chrono::steady_clock::now();
  draining_ = true;
  std::size_t idle = 0;
  each_connection([&idle](ConnectionState& connection) {
    if (!connection.disconnected && connection.wait() == ConnectionWait::request_start) {
      connection.shut_down(SHUT_RDWR);  // no request on it: nothing is lost
      ++idle;
    }
  });
  std::unique_lock lock(drain_mu_);
  const bool drained = drained_.wait_for(lock, options_.drain_timeout, [this] { return in_flight_.load() <= 0; });
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log::write(drained ? log::Level::info : log::Level::warn, drained ? "http drained" : "http drain timed out",
             {log::num("idle_connections_closed", static_cast<long long>(idle)),
              log::num("answers_not_sent", in_flight_.load()), log::num("waited_ms", waited.count())});
}

namespace {

// The answer to a request whose time ran out before it was all received (RFC 9110 15.5.9),
// sent from the sweep's thread; the connection ends once it is out.
void answer_timeout(Server& server, const std::shared_ptr<ConnectionState>& connection,
                    std::chrono::milliseconds waited) {
  const auto peer = connection->peer.lock();
  if (!peer) {
    return;
  }
  const auto request_id = new_uuid();
  const auto limit = server.options().timeouts.request;
  auto response = error(408, "Request not received in full within " + std::to_string(limit.count()) + " ms");
  response.headers.emplace_back("X-Request-Id", request_id);
  peer->send(raw_answer(Http::Version::Http11, response, true, false))
      .then([connection](ssize_t) { shut(connection, SHUT_WR); }, Async::IgnoreException);
  server.metrics().observe_request("request_timeout", "unknown", 408, std::chrono::duration<double>(waited).count());
  log::info("request timed out", {{"request_id", request_id},
                                  log::num("waited_ms", static_cast<long long>(waited.count())),
                                  {"client_address", peer->address().host()}});
}

const char* wait_name(ConnectionWait wait) {
  switch (wait) {
    case ConnectionWait::request_start: return "idle";
    case ConnectionWait::request_rest: return "request";
    case ConnectionWait::client_close: return "linger";
    case ConnectionWait::answer_out: return "write";
    case ConnectionWait::answer: return "answer";
  }
  return "unknown";
}

}  // namespace

void Server::sweep() {
  const auto now = std::chrono::steady_clock::now();
  // Taken out of the list while they are looked at: a new connection is added meanwhile
  // without waiting for the sweep.
  std::vector<std::weak_ptr<ConnectionState>> looked_at;
  {
    const std::lock_guard lock(tracked_mu_);
    looked_at.swap(tracked_);
  }
  std::vector<std::weak_ptr<ConnectionState>> open;
  open.reserve(looked_at.size());
  std::vector<std::pair<std::shared_ptr<ConnectionState>, std::chrono::milliseconds>> late;
  for (auto& tracked : looked_at) {
    const auto connection = tracked.lock();
    if (!connection) {
      continue;
    }
    const std::lock_guard lock(connection->mu);
    if (connection->disconnected) {
      continue;
    }
    open.push_back(std::move(tracked));
    const auto wait = connection->wait();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - connection->since);
    switch (on_timeout(wait, waited, options_.timeouts)) {
      case TimeoutAction::none: break;
      case TimeoutAction::close:
        connection->shut_down(SHUT_RDWR);
        metrics_.http_connection_timed_out(wait_name(wait));
        break;
      case TimeoutAction::answer_timeout:
        connection->closing = true;  // what else arrives is dropped; the parser's request is not served
        metrics_.http_connection_timed_out(wait_name(wait));
        late.emplace_back(connection, waited);
        break;
    }
  }
  {
    const std::lock_guard lock(tracked_mu_);
    open.insert(open.end(), std::make_move_iterator(tracked_.begin()), std::make_move_iterator(tracked_.end()));
    tracked_ = std::move(open);
  }
  for (const auto& [connection, waited] : late) {
    answer_timeout(*this, connection, waited);
  }
}

namespace {

// Raises the soft limit on open descriptors to the hard one (systemd and shells often start us
// at 1024) and answers the limit in force.
std::size_t descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 1024;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

void Server::start() {
  const auto descriptors = descriptor_limit();
  max_connections_ = options_.max_connections != 0            ? options_.max_connections
                     : descriptors > 2 * kReservedDescriptors ? descriptors - kReservedDescriptors
                                                              : descriptors / 2;
  log::info("http connections", {log::num("max", static_cast<long long>(max_connections_)),
                                 log::num("descriptor_limit", static_cast<long long>(descriptors))});
  for (int i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this] {
      name_this_thread("lf-http-worker");
      work();
    });
  }
  const Address addr(options_.address, Port(options_.port));
  endpoint_ = std::make_shared<Http::Endpoint>(addr);
  // The parser's buffer holds one whole request: the body limit plus room for the request
  // line and headers. A request that overflows it is answered 413 by onInput(); one whose body
  // alone is over the limit, by the worker.
  //
  // Pistache's own clocks are set never to run out: the sweep keeps time instead. Pistache's
  // header timeout also ran while a worker computed an answer (its parser waits for the next
  // request line as soon as a request is handed over), and answered a bare 408 in its place.
  constexpr auto kNever = std::chrono::hours(24 * 365 * 100);
  endpoint_->init(Http::Endpoint::options()
                      .threads(options_.reactor_threads)
                      .flags(Tcp::Options::ReuseAddr)
                      .maxRequestSize(options_.max_body + kHeaderAllowance)
                      .maxResponseSize(std::size_t{64} * 1024 * 1024)
                      .headerTimeout(kNever)
                      .bodyTimeout(kNever)
                      .keepaliveTimeout(kNever));
  endpoint_->setHandler(Http::make_handler<PistacheHandler>(this));
  endpoint_->serveThreaded();
  sweeper_ = std::thread([this] {
    name_this_thread("lf-http-sweep");
    const auto period = sweep_period(options_.timeouts);
    std::unique_lock lock(sweep_mu_);
    while (!sweep_cv_.wait_for(lock, period, [this] { return sweep_stopping_; })) {
      lock.unlock();
      sweep();
      lock.lock();
    }
  });
}

std::uint16_t Server::port() const { return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0; }

void Server::stop() {
  if (endpoint_ && !draining_.load()) {
    drain();
  }
  {
    const std::lock_guard lock(sweep_mu_);
    sweep_stopping_ = true;  // before the endpoint goes: the sweep sends on its connections
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) {
    sweeper_.join();
  }
  {
    // A worker still computing when the drain ran out must not send through the transport
    // that goes now.
    const std::unique_lock lock(sending_mu_);
    sending_open_ = false;
  }
  // Every connection ends now: Pistache's shutdown leaves them open until the process exits,
  // which waits for the workers.
  each_connection([](ConnectionState& connection) { connection.shut_down(SHUT_RDWR); });
  if (endpoint_) {
    endpoint_->shutdown();
    endpoint_.reset();
  }
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) {
      t.join();
    }
  }
  workers_.clear();
}

void Server::submit(std::function<void()> job) {
  {
    const std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Server::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_ && jobs_.empty()) {
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log::error("worker job failed", {{"error", e.what()}});
    }
  }
}

}  // namespace lf::adapters::http
