#pragma once
// A login session: one refresh-token family. Each refresh rotates the token; presenting a
// token that was already rotated means it leaked (or a client raced itself), so the whole
// family is revoked (token-family reuse detection). Only hashes of tokens are recorded.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/error.hpp"

namespace lf::domain::session {

inline constexpr const char* kStreamType = "session";
std::string stream_id(const std::string& session_id);

struct State {
  bool exists = false;
  bool revoked = false;
  std::int64_t version = 0;
  std::string session_id;
  std::int64_t user_id = 0;
  std::string current_hash;
  std::vector<std::string> rotated_hashes;  // every earlier token of the family
  std::int64_t expires_at = 0;              // unix seconds
};

struct SessionStarted {
  std::string session_id;
  std::int64_t user_id = 0;
  std::string refresh_token_hash;
  std::int64_t expires_at = 0;
};
struct SessionRefreshed {
  std::string session_id;
  std::string refresh_token_hash;
  std::int64_t expires_at = 0;
};
struct RefreshReuseDetected {
  std::string session_id;
  std::int64_t user_id = 0;
};
struct SessionRevoked {
  std::string session_id;
  std::string reason;  // "logout", "refresh_reuse"
};
using Event = std::variant<SessionStarted, SessionRefreshed, RefreshReuseDetected, SessionRevoked>;

struct StartSession {
  std::string session_id;
  std::int64_t user_id = 0;
  std::string refresh_token_hash;
  std::int64_t expires_at = 0;
};
struct RefreshSession {
  std::string presented_hash;
  std::string new_hash;
  std::int64_t new_expires_at = 0;
  std::int64_t now = 0;
};
struct EndSession {
  std::string presented_hash;
};
using Command = std::variant<StartSession, RefreshSession, EndSession>;

// A refresh with a rotated token succeeds in deciding — it records the reuse and the
// revocation — and the shell answers 401; see refresh_outcome().
Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);
// True when the decided events grant a new token (a plain rotation).
bool refresh_granted(const std::vector<Event>& events);

}  // namespace lf::domain::session
