#pragma once
// The Annotator aggregate: one labeler, who later gets an isolated Label Studio instance.
// Decider: decide(command, state) -> events | error; evolve(state, event) -> state.
//
// Facts the decider cannot know itself are looked up by the shell and passed in the command:
// whether the role exists, the subdomain the shell picked (free at the time it looked), the
// database name, the last characters of the webhook secret it generated.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/common/claims.hpp"
#include "domain/common/error.hpp"
#include "domain/common/references.hpp"

namespace lf::domain::annotator {

inline constexpr const char* kStreamType = refs::kAnnotatorType;
// Unique among live annotators, lower-cased; released on delete so the address can be reused.
inline constexpr const char* kEmailScope = "annotator.email";
// Unique forever: a deleted annotator keeps its subdomain reserved (never released), so a URL
// that once pointed at someone's instance never points at someone else's.
inline constexpr const char* kSubdomainScope = "annotator.subdomain";
inline constexpr std::size_t kMaxName = 255;
inline constexpr std::size_t kMaxEmail = 255;
inline constexpr std::size_t kMaxNotes = 2000;
inline constexpr std::size_t kMaxSubdomain = 40;
inline constexpr std::size_t kMaxToken = 512;
inline constexpr std::size_t kMaxBulk = 100;

enum class Status { created, starting, active, stopping, stopped, error, deleted };
std::string to_string(Status status);
std::optional<Status> parse_status(std::string_view text);

std::string stream_id(std::int64_t id);
// "ls_annotator_<id>": the per-annotator database of its Label Studio instance.
std::string database_name(std::int64_t id);
// The subdomain a name asks for: lower-case ASCII letters and digits, every other run of
// characters one '-', no leading or trailing '-', at most 40 characters, "annotator" if empty.
std::string subdomain_slug(std::string_view name);
// `slug` for n == 1, "slug-n" otherwise, still at most 40 characters.
std::string subdomain_candidate(const std::string& slug, int n);
// One '@', non-empty local part, a dotted domain with a non-empty last label, no spaces or
// control characters, at most 255 characters.
bool is_valid_email(std::string_view email);
// What may be shown of a secret: its last 4 characters when it is long enough that they give
// little away (12+), otherwise nothing.
std::string secret_hint(std::string_view secret);

struct State {
  bool exists = false;
  std::int64_t id = 0;
  std::int64_t version = 0;  // stream version the state was folded to
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  std::optional<std::string> notes;
  Status status = Status::created;
  std::string subdomain;
  std::string database_name;
  std::string webhook_secret_hint;
  std::optional<std::string> api_token_hint;  // set once Label Studio reported its token
  bool deleted() const { return status == Status::deleted; }
};

// ---- events (each carries the annotator's resulting fields: a consumer needs no earlier event)
struct AnnotatorCreated {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  std::optional<std::string> notes;
  Status status = Status::created;
  std::string subdomain;
  std::string database_name;
  std::string webhook_secret_hint;
  bool operator==(const AnnotatorCreated&) const = default;
};
struct AnnotatorUpdated {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  std::optional<std::string> notes;
  Status status = Status::created;
  bool operator==(const AnnotatorUpdated&) const = default;
};
// The annotator's status becomes deleted; its history stays in the log.
struct AnnotatorDeleted {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  bool operator==(const AnnotatorDeleted&) const = default;
};
// The annotator's Label Studio instance reported its API token. `token` is a secret (writeOnly
// in the event schema: kept in the log for the Label Studio client, never published);
// `token_hint` is what may be shown.
struct ApiTokenReported {
  std::int64_t id = 0;
  std::string token;
  std::string token_hint;
  bool operator==(const ApiTokenReported&) const = default;
};
using Event = std::variant<AnnotatorCreated, AnnotatorUpdated, AnnotatorDeleted, ApiTokenReported>;

// ---- commands
struct CreateAnnotator {
  std::int64_t id = 0;  // allocated by the shell before deciding
  std::string name;
  std::string email;
  std::optional<std::int64_t> role_id;
  bool role_exists = false;  // shell fact: role_id names a live role
  std::optional<std::string> notes;
  std::string subdomain;  // shell fact: picked free among the claims
  std::string database_name;
  std::string webhook_secret_hint;
};
// Absent members are left as they are; a present null clears an optional field.
struct UpdateAnnotator {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::optional<std::int64_t>> role_id;
  bool role_exists = false;  // shell fact, when role_id is set to a role
  std::optional<std::optional<std::string>> notes;
};
struct DeleteAnnotator {};
struct ReportApiToken {
  std::string token;
};
using Command = std::variant<CreateAnnotator, UpdateAnnotator, DeleteAnnotator, ReportApiToken>;

Result<std::vector<Event>> decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// Bulk creation, all or nothing: every item is checked like a single create (detail paths
// "annotators/<i>/<field>"; 400 when any is invalid), then the batch's emails must differ from
// each other (409 naming the duplicate). One event list per item, in order.
Result<std::vector<std::vector<Event>>> decide_bulk_create(const std::vector<CreateAnnotator>& commands);

// The email claims an accepted decision takes and gives back (lower-cased; freed on delete).
Claims email_claims(const State& before, const std::vector<Event>& events);
// The subdomain claim a creation takes (never released).
Claims subdomain_claims(const std::vector<Event>& events);

}  // namespace lf::domain::annotator
