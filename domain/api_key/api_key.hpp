#pragma once
// An API key for machine clients: shown once at creation, stored only as a hash, revocable.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/common/access.hpp"
#include "domain/common/error.hpp"

namespace lf::domain::api_key {

inline constexpr const char* kStreamType = "api_key";
inline constexpr std::size_t kMaxName = 100;
std::string stream_id(std::int64_t id);

struct State {
  bool exists = false;
  bool revoked = false;
  std::int64_t version = 0;
  std::int64_t id = 0;
  std::string name;
  Role role = Role::viewer;
  std::string key_hash;
  std::string prefix;  // the first characters of the key, to recognise it in lists
  std::int64_t created_by = 0;
};

struct ApiKeyCreated {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::viewer;
  std::string key_hash;
  std::string prefix;
  std::int64_t created_by = 0;
};
struct ApiKeyRevoked {
  std::int64_t id = 0;
  std::int64_t revoked_by = 0;
};
using Event = std::variant<ApiKeyCreated, ApiKeyRevoked>;

struct CreateApiKey {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::viewer;
  std::string key_hash;
  std::string prefix;
  std::int64_t created_by = 0;
};
struct RevokeApiKey {
  std::int64_t revoked_by = 0;
};
using Command = std::variant<CreateApiKey, RevokeApiKey>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

}  // namespace lf::domain::api_key
