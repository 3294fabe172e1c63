#include "adapters/http/errors.hpp"

namespace lf::adapters::http {

int status_of(domain::Errc code) {
  switch (code) {
    case domain::Errc::invalid: return 400;
    case domain::Errc::not_found: return 404;
    case domain::Errc::conflict:
    case domain::Errc::version_conflict: return 409;
    case domain::Errc::unauthorized: return 401;
  }
  return 500;
}

HttpResponse from_domain(const domain::Error& e) { return error(status_of(e.code), e.message, e.details); }

HttpResponse from_append(const ports::AppendError& e, const std::string& unique_message) {
  switch (e.code) {
    case ports::AppendErrc::version_conflict:
      return error(409, "The resource was modified concurrently; reload it and retry");
    case ports::AppendErrc::unique_conflict: return error(409, unique_message);
    case ports::AppendErrc::referenced: return error(409, e.message);
    case ports::AppendErrc::idempotency_mismatch:
      return error(409, "Idempotency-Key was already used for a different request");
    case ports::AppendErrc::unavailable: return unavailable("The event store is unavailable; retry later");
    // The request passed validation, so the refusal is ours to fix; the log has the server's words.
    case ports::AppendErrc::refused: return error(500, "Internal server error");
    case ports::AppendErrc::too_large: return error(413, e.message);
  }
  return error(500, "Internal server error");
}

}  // namespace lf::adapters::http
