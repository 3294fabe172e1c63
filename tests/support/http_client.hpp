#pragma once
// A minimal HTTP/1.1 client over a TCP socket to 127.0.0.1, enough for tests: one request per
// connection, the whole response read back.
#include <cstdint>
#include <map>
#include <string>

namespace lf::testing {

struct HttpResult {
  int status = 0;                              // 0: no answer (connection refused, timeout)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower) const {
    const auto it = headers.find(lower);
    return it == headers.end() ? "" : it->second;
  }
};

// Sent with every request to `port` that names no Authorization header of its own; a caller
// passing {"Authorization", ""} sends none (to test the door itself).
void set_default_authorization(std::uint16_t port, const std::string& value);
// That value ("" when none was set), for tests that write their requests by hand.
std::string default_authorization(std::uint16_t port);

HttpResult http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});

}  // namespace lf::testing
