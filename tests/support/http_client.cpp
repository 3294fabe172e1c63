#include "tests/support/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace lf::testing {
namespace {
std::mutex g_auth_mu;
std::map<std::uint16_t, std::string> g_auth;
}  // namespace

void set_default_authorization(std::uint16_t port, const std::string& value) {
  const std::lock_guard lock(g_auth_mu);
  g_auth[port] = value;
}

std::string default_authorization(std::uint16_t port) {
  const std::lock_guard lock(g_auth_mu);
  const auto it = g_auth.find(port);
  return it == g_auth.end() ? "" : it->second;
}

HttpResult http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                const std::map<std::string, std::string>& headers) {
  HttpResult result;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return result;
  }
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return result;
  }
  std::ostringstream req;
  req << method << " " << path << " HTTP/1.1\r\nHost: 127.0.0.1:" << port << "\r\nConnection: close\r\n";
  bool has_type = false;
  bool has_auth = false;
  for (const auto& [k, v] : headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    has_type = has_type || lower == "content-type";
    has_auth = has_auth || lower == "authorization";
    if (!v.empty() || lower != "authorization") {
      req << k << ": " << v << "\r\n";
    }
  }
  if (!has_auth) {
    const std::lock_guard lock(g_auth_mu);
    if (const auto it = g_auth.find(port); it != g_auth.end()) {
      req << "Authorization: " << it->second << "\r\n";
    }
  }
  if (!body.empty() && !has_type) {
    req << "Content-Type: application/json\r\n";
  }
  req << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  const auto text = req.str();
  std::size_t sent = 0;
  while (sent < text.size()) {
    const auto n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;  // the server may answer (413) before reading everything
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    raw.append(buf, static_cast<std::size_t>(n));
    // Stop once the whole body announced by Content-Length is in.
    const auto end = raw.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = raw.substr(0, end);
      std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
      const auto cl = head.find("content-length:");
      if (cl != std::string::npos && raw.size() >= end + 4 + std::stoul(head.substr(cl + 15))) {
        break;
      }
    }
  }
  ::close(fd);
  const auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) {
    return result;
  }
  result.status = std::stoi(raw.substr(9, 3));
  std::istringstream lines(raw.substr(0, end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    result.headers[name] = value;
  }
  result.body = raw.substr(end + 4);
  return result;
}

}  // namespace lf::testing
