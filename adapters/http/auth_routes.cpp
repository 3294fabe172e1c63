// /api/auth: login, refresh, logout, me.
#include "adapters/auth/auth_service.hpp"
#include "adapters/codec/json_writer.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"

namespace lf::adapters::http {
namespace {

constexpr const char* kCookie = "lf_refresh";

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// email=…&password=… -> {"email": …, "password": …}, so both shapes share one schema.
std::string form_to_json(const std::string& body) {
  codec::JsonWriter w;
  w.begin_object();
  std::size_t start = 0;
  while (start <= body.size()) {
    const auto end = std::min(body.find('&', start), body.size());
    const auto pair = body.substr(start, end - start);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      w.field(percent_decode(pair.substr(0, eq)), eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  return w.end_object().str();
}

std::string refresh_cookie(const std::string& value, std::int64_t max_age, bool secure) {
  return std::string(kCookie) + "=" + value +
         "; Path=/api/auth; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age) + (secure ? "; Secure" : "");
}

HttpResponse tokens_response(const auth::Tokens& t, const auth::AuthOptions& o) {
  codec::JsonWriter w;
  w.begin_object()
      .field("access_token", t.access_token)
      .field("token_type", "bearer")
      .field("expires_in", t.expires_in);
  auto r = json(200, w.end_object().str());
  r.headers.emplace_back("Set-Cookie", refresh_cookie(t.refresh_token, o.refresh_ttl.count(), o.secure_cookie));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse auth_error(const auth::AuthError& e, const auth::AuthOptions& o) {
  switch (e.code) {
    case auth::AuthErrc::rate_limited: return too_many_requests(e.message, e.retry_after);
    case auth::AuthErrc::unavailable: return unavailable(e.message);
    case auth::AuthErrc::refresh_reuse:
    case auth::AuthErrc::invalid_refresh: {
      auto r = error(401, e.message);
      r.headers.emplace_back("Set-Cookie", refresh_cookie("", 0, o.secure_cookie));  // forget it
      return r;
    }
    case auth::AuthErrc::invalid_credentials: return error(401, e.message);
  }
  return error(500, "Internal server error");
}

// The refresh token from the cookie, or from {"refresh_token": …} for clients without cookies.
std::expected<std::string, HttpResponse> presented_refresh_token(const HttpRequest& req) {
  if (const auto it = req.cookies.find(kCookie); it != req.cookies.end() && !it->second.empty()) {
    return it->second;
  }
  if (req.body.empty()) {
    return std::unexpected(error(401, "No refresh token: the lf_refresh cookie is missing"));
  }
  const auto body = parse_body(req, "requests/refresh.json");
  if (!body) {
    return std::unexpected(body.error());
  }
  const auto token = optional_string(*body, "refresh_token");
  if (!token) {
    return std::unexpected(error(401, "No refresh token"));
  }
  return *token;
}

}  // namespace

void add_auth_routes(Router& router, Services& s) {
  router.add("POST", "/api/auth/login", Access::open, [&s](HttpRequest& req) {
    const auto type = req.header("content-type").value_or("");
    if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      req.body = form_to_json(req.body);
    }
    const auto body = parse_body(req, "requests/login.json");
    if (!body) {
      return body.error();
    }
    const auto tokens = s.auth->login(optional_string(*body, "email").value_or(""),
                                      optional_string(*body, "password").value_or(""), req.client_address);
    return tokens ? tokens_response(*tokens, s.auth->options()) : auth_error(tokens.error(), s.auth->options());
  });

  router.add("POST", "/api/auth/refresh", Access::open, [&s](HttpRequest& req) {
    const auto presented = presented_refresh_token(req);
    if (!presented) {
      return presented.error();
    }
    const auto tokens = s.auth->refresh(*presented);
    return tokens ? tokens_response(*tokens, s.auth->options()) : auth_error(tokens.error(), s.auth->options());
  });

  router.add("POST", "/api/auth/logout", Access::open, [&s](HttpRequest& req) {
    const auto presented = presented_refresh_token(req);
    if (!presented) {
      return presented.error();
    }
    const auto done = s.auth->logout(*presented);
    if (!done) {
      return auth_error(done.error(), s.auth->options());
    }
    auto r = json(200, R"({"success":true})");
    r.headers.emplace_back("Set-Cookie", refresh_cookie("", 0, s.auth->options().secure_cookie));
    return r;
  });

  router.add("GET", "/api/auth/me", Access::read, [](HttpRequest& req) {
    const auto& p = *req.principal;
    codec::JsonWriter w;
    w.begin_object()
        .field("kind", p.kind == Principal::Kind::user ? "user" : "api_key")
        .field("id", p.id)
        .field("role", domain::to_string(p.role));
    return json(200, w.end_object().str());
  });
}

}  // namespace lf::adapters::http
