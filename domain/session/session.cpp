#include "domain/session/session.hpp"

#include <algorithm>

#include "domain/common/overloaded.hpp"

namespace lf::domain::session {
namespace {

Result<std::vector<Event>> refuse(const char* why) { return fail(Errc::unauthorized, why); }

}  // namespace

std::string stream_id(const std::string& session_id) { return "session-" + session_id; }

Result<std::vector<Event>> decide(const Command& command, const State& s) {
  return std::visit(
      overloaded{
          [&](const StartSession& c) -> Result<std::vector<Event>> {
            if (s.exists) {
              return fail(Errc::conflict, "Session already exists");
            }
            return std::vector<Event>{SessionStarted{c.session_id, c.user_id, c.refresh_token_hash, c.expires_at}};
          },
          [&](const RefreshSession& c) -> Result<std::vector<Event>> {
            if (!s.exists || s.revoked) {
              return refuse("Refresh token is invalid or revoked");
            }
            if (std::find(s.rotated_hashes.begin(), s.rotated_hashes.end(), c.presented_hash) !=
                s.rotated_hashes.end()) {
              return std::vector<Event>{RefreshReuseDetected{s.session_id, s.user_id},
                                        SessionRevoked{s.session_id, "refresh_reuse"}};
            }
            if (c.presented_hash != s.current_hash) {
              return refuse("Refresh token is invalid or revoked");
            }
            if (c.now >= s.expires_at) {
              return refuse("Refresh token has expired");
            }
            return std::vector<Event>{SessionRefreshed{s.session_id, c.new_hash, c.new_expires_at}};
          },
          [&](const EndSession& c) -> Result<std::vector<Event>> {
            if (!s.exists || s.revoked || c.presented_hash != s.current_hash) {
              return refuse("Refresh token is invalid or revoked");
            }
            return std::vector<Event>{SessionRevoked{s.session_id, "logout"}};
          },
      },
      command);
}

State evolve(State state, const Event& event) {
  std::visit(overloaded{
                 [&](const SessionStarted& e) {
                   state.exists = true;
                   state.session_id = e.session_id;
                   state.user_id = e.user_id;
                   state.current_hash = e.refresh_token_hash;
                   state.expires_at = e.expires_at;
                 },
                 [&](const SessionRefreshed& e) {
                   state.rotated_hashes.push_back(state.current_hash);
                   state.current_hash = e.refresh_token_hash;
                   state.expires_at = e.expires_at;
                 },
                 [&](const RefreshReuseDetected&) {},
                 [&](const SessionRevoked&) { state.revoked = true; },
             },
             event);
  ++state.version;
  return state;
}

bool refresh_granted(const std::vector<Event>& events) {
  return events.size() == 1 && std::holds_alternative<SessionRefreshed>(events.front());
}

}  // namespace lf::domain::session
