// The one mapping of store refusals to HTTP statuses.
#include "adapters/http/errors.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::http {
namespace {

using ports::AppendErrc;
using ports::AppendError;

TEST(FromAppend, ConflictsAre409AndAnUnavailableStoreIs503) {
  EXPECT_EQ(from_append(AppendError{AppendErrc::version_conflict, "x"}, "taken").status, 409);
  EXPECT_EQ(from_append(AppendError{AppendErrc::unique_conflict, "x"}, "taken").body, R"({"error":"taken"})");
  EXPECT_EQ(from_append(AppendError{AppendErrc::referenced, "Role is in use"}, "taken").status, 409);
  EXPECT_EQ(from_append(AppendError{AppendErrc::idempotency_mismatch, "x"}, "taken").status, 409);
  const auto unavailable = from_append(AppendError{AppendErrc::unavailable, "x"}, "taken");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.headers,
            (std::vector<std::pair<std::string, std::string>>{{"Retry-After", std::to_string(kRetryAfterSeconds)}}));
}

// Writes the database refuses after validation passed are the server's fault, and what the
// database said stays in the log: a client retrying would be refused again.
TEST(FromAppend, RefusedWritesAre500WithoutTheServersWords) {
  const auto r = from_append(AppendError{AppendErrc::refused, "ERROR: malformed array literal \"{a\""}, "taken");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":"Internal server error"})");
}

TEST(FromAppend, AnEventTooLargeToRecordIs413WithTheStoresMessage) {
  const auto r = from_append(AppendError{AppendErrc::too_large, "The change is too large to record"}, "taken");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, R"({"error":"The change is too large to record"})");
}

}  // namespace
}  // namespace lf::adapters::http
