#include "domain/api_key/api_key.hpp"

#include "domain/common/overloaded.hpp"
#include "domain/common/text.hpp"

namespace lf::domain::api_key {

std::string stream_id(std::int64_t id) { return "api-key-" + std::to_string(id); }

Result<std::vector<Event>> decide(const Command& command, const State& s) {
  return std::visit(
      overloaded{
          [&](const CreateApiKey& c) -> Result<std::vector<Event>> {
            if (s.exists) {
              return fail(Errc::conflict, "API key already exists");
            }
            const auto name = text::trim(c.name);
            const auto n = text::length(name);
            if (n == 0 || n > kMaxName) {
              return fail(Errc::invalid, "Validation failed", {{"name", "must be 1-100 characters"}});
            }
            return std::vector<Event>{ApiKeyCreated{c.id, name, c.role, c.key_hash, c.prefix, c.created_by}};
          },
          [&](const RevokeApiKey& c) -> Result<std::vector<Event>> {
            if (!s.exists || s.revoked) {
              return fail(Errc::not_found, "API key not found");
            }
            return std::vector<Event>{ApiKeyRevoked{s.id, c.revoked_by}};
          },
      },
      command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const ApiKeyCreated& e) {
                   state.exists = true;
                   state.id = e.id;
                   state.name = e.name;
                   state.role = e.role;
                   state.key_hash = e.key_hash;
                   state.prefix = e.prefix;
                   state.created_by = e.created_by;
                 },
                 [&](const ApiKeyRevoked&) { state.revoked = true; },
             },
             event);
  ++state.version;
  return state;
}

}  // namespace lf::domain::api_key
