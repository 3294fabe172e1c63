#pragma once
// Expected failures of the domain, as values. One enum for every aggregate: the
// HTTP boundary maps each kind to one status in exactly one place (adapters/http/errors.cpp).
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace lf::domain {

enum class Errc {
  invalid,           // the command breaks a rule of the aggregate (400)
  not_found,         // the stream does not exist or was deleted (404)
  conflict,          // a uniqueness rule or the aggregate's state forbids it (409)
  version_conflict,  // someone else appended to the stream first (409)
  unauthorized,      // the credential is missing, wrong, expired or revoked (401)
};

struct FieldIssue {
  std::string path;     // field path in the request body, e.g. "name" or "annotators/2/email"
  std::string message;  // what is wrong with it
};

struct Error {
  Errc code;
  std::string message;
  std::vector<FieldIssue> details;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message, std::vector<FieldIssue> details = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(details)});
}

}  // namespace lf::domain
