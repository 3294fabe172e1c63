// /api/annotators (reads from the annotators read model, writes through the Annotator decider)
// and /api/events (the audit trail read model).
#include <map>
#include <set>

#include "adapters/app/aggregate_loader.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/auth/webhook_secrets.hpp"
#include "adapters/codec/annotator_codec.hpp"
#include "adapters/codec/audit_codec.hpp"
#include "adapters/codec/role_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/annotator_views.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "domain/annotator/annotator.hpp"
#include "domain/common/references.hpp"
#include "domain/common/text.hpp"
#include "domain/role/role.hpp"

namespace lf::adapters::http {
namespace {

namespace annotator = domain::annotator;
namespace refs = domain::refs;
using projections::AnnotatorRoleRef;
using projections::AnnotatorRow;
using projections::AnnotatorsProjection;
using projections::AuditEventFilter;
using projections::AuditEventsProjection;

const char* const kEmailTaken = "Email already exists";

HttpResponse not_found() { return error(404, "Annotator not found"); }

app::Loaded<annotator::State> load_annotator(Services& s, std::int64_t id) {
  return app::load<annotator::State>(s.store, annotator::stream_id(id), codec::decode_annotator, annotator::evolve);
}

// ---- facts the shell looks up for the decider

// A role as an annotator decision sees it: the guard the append rests on, and what answers nest.
struct RoleFact {
  std::optional<ports::StreamGuard> guard;  // nullopt: no such role (or deleted)
  std::optional<AnnotatorRoleRef> ref;
};

RoleFact look_up_role(Services& s, std::int64_t role_id) {
  const auto stream = refs::role_stream(role_id);
  RoleFact fact;
  fact.guard = live_reference(s.store, stream);
  if (!fact.guard) {
    return fact;
  }
  const auto loaded = app::load<domain::role::State>(s.store, stream, codec::decode_role, domain::role::evolve);
  fact.ref = AnnotatorRoleRef{role_id, loaded.state.name, loaded.state.color};
  return fact;
}

// The nested role of an answer (no guard: the decision does not rest on it).
std::optional<AnnotatorRoleRef> role_ref(Services& s, const std::optional<std::int64_t>& role_id) {
  if (!role_id) {
    return std::nullopt;
  }
  return look_up_role(s, *role_id).ref;
}

// Picks the first subdomain free of slug, slug-2, slug-3 … that no stream holds and no other
// annotator of the same request took. The append claims it; a lost race is retried once.
std::string pick_subdomain(Services& s, const std::string& name, std::set<std::string>& taken) {
  const auto slug = annotator::subdomain_slug(domain::text::trim(name));
  for (int n = 1;; ++n) {
    auto candidate = annotator::subdomain_candidate(slug, n);
    if (!taken.contains(candidate) && !s.store.claim_holder(annotator::kSubdomainScope, candidate)) {
      taken.insert(candidate);
      return candidate;
    }
  }
}

// A new webhook secret for annotator `id`: only its SHA-256 is written (stream
// "webhook-secret-<id>", the same event EventSourcedWebhookSecrets issues and verifies), only its
// last characters are kept to show. The clear secret is dropped here: the container issue rotates
// it when it starts the annotator's instance and hands it over there.
struct NewSecret {
  std::string hint;
  ports::StreamAppend append;
};

NewSecret new_webhook_secret(std::int64_t id) {
  const auto secret = "whs_" + auth::random_token(32);
  NewSecret out;
  out.hint = annotator::secret_hint(secret);
  out.append.stream_id = auth::webhook_secret_stream(id);
  out.append.stream_type = auth::kWebhookSecretStreamType;
  out.append.expected_version = 0;
  out.append.events.push_back(codec::encode(codec::WebhookSecretIssued{id, auth::sha256_hex(secret)}));
  return out;
}

// ---- answers

AnnotatorRow row_of(const annotator::State& st, const std::optional<AnnotatorRow>& base,
                    std::optional<AnnotatorRoleRef> role, const std::string& created_at,
                    const std::string& updated_at) {
  AnnotatorRow row = base.value_or(AnnotatorRow{});  // keeps what other read-side events set
  row.id = st.id;
  row.name = st.name;
  row.email = st.email;
  row.role_id = st.role_id;
  row.status = annotator::to_string(st.status);
  row.subdomain = st.subdomain;
  row.database_name = st.database_name;
  row.webhook_secret_hint = st.webhook_secret_hint;
  row.api_token_hint = st.api_token_hint;
  row.notes = st.notes;
  row.created_at = created_at;
  row.updated_at = updated_at;
  row.role = std::move(role);
  return row;
}

std::optional<AnnotatorRow> read_row(Services& s, std::int64_t id) {
  auto conn = s.reads.acquire();
  pqxx::read_transaction tx(*conn);
  return AnnotatorsProjection::find(tx, id);
}

// Maps a refused append; a subdomain conflict is only seen when the retry lost again.
HttpResponse answer(const std::expected<app::Outcome, ports::AppendError>& outcome) {
  if (!outcome && outcome.error().code == ports::AppendErrc::unique_conflict) {
    if (outcome.error().scope == annotator::kSubdomainScope) {
      return error(409, "Subdomain was taken concurrently; retry");
    }
    return error(409, std::string(kEmailTaken) + ": " + outcome.error().value);
  }
  return respond(outcome, kEmailTaken);
}

bool lost_subdomain_race(const std::expected<app::Outcome, ports::AppendError>& outcome) {
  return !outcome && outcome.error().code == ports::AppendErrc::unique_conflict &&
         outcome.error().scope == annotator::kSubdomainScope;
}

// The stream segment of one decided annotator command.
ports::StreamAppend segment(const annotator::State& before, const std::vector<annotator::Event>& events) {
  ports::StreamAppend a;
  a.stream_type = annotator::kStreamType;
  a.expected_version = before.version;
  encode_into(a.events, events, [](const annotator::Event& e) { return codec::encode(e); });
  add_claims(a.claims, a.releases, annotator::kEmailScope, annotator::email_claims(before, events));
  add_claims(a.claims, a.releases, annotator::kSubdomainScope, annotator::subdomain_claims(events));
  auto after = before;
  for (const auto& e : events) {
    after = annotator::evolve(after, e);
  }
  a.stream_id = annotator::stream_id(after.id);
  // The stream's references after the events: its role while it lives, nothing once deleted.
  std::vector<ports::StreamRef> held;
  if (after.role_id && !after.deleted()) {
    held.push_back({refs::role_stream(*after.role_id), refs::kAnnotatorRole});
  }
  a.refs = std::move(held);
  return a;
}

app::Decision decision_of(ports::StreamAppend main, std::vector<ports::StreamAppend> more) {
  app::Decision d;
  d.stream_id = std::move(main.stream_id);
  d.stream_type = std::move(main.stream_type);
  d.expected_version = main.expected_version;
  d.events = std::move(main.events);
  d.claims = std::move(main.claims);
  d.releases = std::move(main.releases);
  d.refs = std::move(main.refs);
  d.more = std::move(more);
  d.projection = AnnotatorsProjection::kName;
  d.recorded_at = now_rfc3339();
  return d;
}

// ---- request bodies

// One annotator of a create body (ids, subdomain and secret are filled in later).
annotator::CreateAnnotator create_command(const rapidjson::Value& item, std::map<std::int64_t, RoleFact>& roles,
                                          Services& s) {
  annotator::CreateAnnotator c;
  c.name = optional_string(item, "name").value_or("");
  c.email = optional_string(item, "email").value_or("");
  c.role_id = optional_int(item, "roleId");
  c.notes = optional_string(item, "notes");
  if (c.role_id) {
    auto it = roles.find(*c.role_id);
    if (it == roles.end()) {
      it = roles.emplace(*c.role_id, look_up_role(s, *c.role_id)).first;
    }
    c.role_exists = it->second.guard.has_value();
  }
  return c;
}

std::vector<ports::StreamGuard> guards_of(const std::map<std::int64_t, RoleFact>& roles) {
  std::vector<ports::StreamGuard> out;
  for (const auto& [id, fact] : roles) {
    if (fact.guard) {
      out.push_back(*fact.guard);
    }
  }
  return out;
}

// ---- handlers

HttpResponse create_one(Services& s, HttpRequest& req, const rapidjson::Document& body) {
  std::map<std::int64_t, RoleFact> roles;
  auto command = create_command(body, roles, s);
  // Validate before taking an id, a subdomain and a secret for a request that cannot succeed.
  if (auto checked = annotator::decide(command, {}); !checked) {
    return from_domain(checked.error());
  }
  command.id = s.ids.next(annotator::kStreamType);
  command.database_name = annotator::database_name(command.id);
  const auto role = command.role_id ? roles[*command.role_id].ref : std::nullopt;
  std::expected<app::Outcome, ports::AppendError> outcome;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::set<std::string> taken;
    command.subdomain = pick_subdomain(s, command.name, taken);
    auto secret = new_webhook_secret(command.id);
    command.webhook_secret_hint = secret.hint;
    auto decided = annotator::decide(command, {});
    if (!decided) {
      return from_domain(decided.error());
    }
    std::vector<ports::StreamAppend> more;
    more.push_back(std::move(secret.append));
    auto d = decision_of(segment({}, *decided), std::move(more));
    d.guards = guards_of(roles);
    annotator::State after;
    for (const auto& e : *decided) {
      after = annotator::evolve(after, e);
    }
    d.success = {201, render_annotator(row_of(after, std::nullopt, role, d.recorded_at, d.recorded_at))};
    outcome = s.commands.execute(std::move(d), command_context(req));
    if (!lost_subdomain_race(outcome)) {
      break;
    }
  }
  return with_location(answer(outcome), "/api/annotators/");
}

HttpResponse create_bulk(Services& s, HttpRequest& req, const rapidjson::Document& body) {
  std::map<std::int64_t, RoleFact> roles;
  std::vector<annotator::CreateAnnotator> commands;
  for (const auto& item : body["annotators"].GetArray()) {
    commands.push_back(create_command(item, roles, s));
  }
  if (auto checked = annotator::decide_bulk_create(commands); !checked) {
    return from_domain(checked.error());
  }
  for (auto& c : commands) {
    c.id = s.ids.next(annotator::kStreamType);
    c.database_name = annotator::database_name(c.id);
  }
  std::expected<app::Outcome, ports::AppendError> outcome;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::set<std::string> taken;
    std::vector<ports::StreamAppend> secrets;
    for (auto& c : commands) {
      c.subdomain = pick_subdomain(s, c.name, taken);
      auto secret = new_webhook_secret(c.id);
      c.webhook_secret_hint = secret.hint;
      secrets.push_back(std::move(secret.append));
    }
    auto decided = annotator::decide_bulk_create(commands);
    if (!decided) {
      return from_domain(decided.error());
    }
    std::vector<ports::StreamAppend> segments;
    for (const auto& events : *decided) {
      segments.push_back(segment({}, events));
    }
    // One request: the first annotator is the request's own stream, the rest and every
    // webhook secret ride along in `more` (all or nothing).
    auto main = std::move(segments.front());
    std::vector<ports::StreamAppend> more(std::make_move_iterator(segments.begin() + 1),
                                          std::make_move_iterator(segments.end()));
    for (auto& secret : secrets) {
      more.push_back(std::move(secret));
    }
    auto d = decision_of(std::move(main), std::move(more));
    d.guards = guards_of(roles);
    std::vector<AnnotatorRow> rows;
    for (std::size_t i = 0; i < decided->size(); ++i) {
      annotator::State after;
      for (const auto& e : (*decided)[i]) {
        after = annotator::evolve(after, e);
      }
      rows.push_back(row_of(after, std::nullopt, commands[i].role_id ? roles[*commands[i].role_id].ref : std::nullopt,
                            d.recorded_at, d.recorded_at));
    }
    d.success = {201,
                 R"({"created":)" + std::to_string(rows.size()) + R"(,"annotators":)" + render_annotators(rows) + "}"};
    outcome = s.commands.execute(std::move(d), command_context(req));
    if (!lost_subdomain_race(outcome)) {
      break;
    }
  }
  return answer(outcome);
}

HttpResponse delete_bulk(Services& s, HttpRequest& req, const rapidjson::Document& body) {
  std::set<std::int64_t> ids;
  for (const auto& v : body["ids"].GetArray()) {
    if (v.IsInt64()) {  // an id beyond int64 names no annotator
      ids.insert(v.GetInt64());
    }
  }
  std::vector<ports::StreamAppend> segments;
  for (const auto id : ids) {
    const auto loaded = load_annotator(s, id);
    if (!loaded.state.exists || loaded.state.deleted()) {
      continue;  // unknown or already deleted: skipped
    }
    auto decided = annotator::decide(annotator::DeleteAnnotator{}, loaded.state);
    if (!decided) {
      return from_domain(decided.error());
    }
    segments.push_back(segment(loaded.state, *decided));
  }
  const auto deleted = segments.size();
  app::Decision d;
  if (!segments.empty()) {
    auto main = std::move(segments.front());
    std::vector<ports::StreamAppend> more(std::make_move_iterator(segments.begin() + 1),
                                          std::make_move_iterator(segments.end()));
    d = decision_of(std::move(main), std::move(more));
  }
  d.success = {200, R"({"deleted":)" + std::to_string(deleted) + "}"};
  return answer(s.commands.execute(std::move(d), command_context(req)));
}

HttpResponse update_one(Services& s, HttpRequest& req, std::int64_t id, const rapidjson::Document& body) {
  annotator::UpdateAnnotator command{optional_string(body, "name"), optional_string(body, "email"),
                                     nullable_int(body, "roleId"), false, nullable_string(body, "notes")};
  std::map<std::int64_t, RoleFact> roles;
  if (command.role_id && *command.role_id) {
    const auto role_id = **command.role_id;
    roles.emplace(role_id, look_up_role(s, role_id));
    command.role_exists = roles[role_id].guard.has_value();
  }
  const auto loaded = load_annotator(s, id);
  auto decided = annotator::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto after = loaded.state;
  for (const auto& e : *decided) {
    after = annotator::evolve(after, e);
  }
  auto d = decision_of(segment(loaded.state, *decided), {});
  d.guards = guards_of(roles);
  if (decided->empty()) {
    d.recorded_at = loaded.updated_at;
  }
  const auto role =
      after.role_id && roles.contains(*after.role_id) ? roles[*after.role_id].ref : role_ref(s, after.role_id);
  d.success = {200, render_annotator(row_of(after, read_row(s, id), role, loaded.created_at, d.recorded_at))};
  return answer(s.commands.execute(std::move(d), command_context(req)));
}

HttpResponse delete_one(Services& s, HttpRequest& req, std::int64_t id) {
  const auto loaded = load_annotator(s, id);
  auto decided = annotator::decide(annotator::DeleteAnnotator{}, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto d = decision_of(segment(loaded.state, *decided), {});
  d.success = {200, R"({"success":true})"};
  return answer(s.commands.execute(std::move(d), command_context(req)));
}

HttpResponse report_token(Services& s, HttpRequest& req, std::int64_t id, const rapidjson::Document& body) {
  const auto loaded = load_annotator(s, id);
  auto decided =
      annotator::decide(annotator::ReportApiToken{optional_string(body, "token").value_or("")}, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto d = decision_of(segment(loaded.state, *decided), {});
  d.success = {200, R"({"success":true})"};
  return answer(s.commands.execute(std::move(d), command_context(req)));
}

std::expected<AuditEventFilter, HttpResponse> parse_event_filter(const HttpRequest& req) {
  AuditEventFilter filter;
  std::vector<domain::FieldIssue> issues;
  if (const auto it = req.query.find("type"); it != req.query.end()) {
    if (it->second == "container" || it->second == "annotation") {
      filter.type = it->second;
    } else {
      issues.push_back({"type", "must be container or annotation"});
    }
  }
  if (const auto it = req.query.find("annotatorId"); it != req.query.end()) {
    if (const auto id = parse_id(it->second)) {
      filter.annotator_id = *id;
    } else {
      issues.push_back({"annotatorId", "must be a positive integer"});
    }
  }
  if (!issues.empty()) {
    return std::unexpected(error(400, "Invalid query parameters", issues));
  }
  return filter;
}

}  // namespace

void add_annotator_routes(Router& router, Services& s) {
  router.add("GET", "/api/annotators", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = AnnotatorsProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_annotators(rows), AnnotatorsProjection::count(tx), *page));
  });

  router.add("GET", "/api/annotators/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    const auto row = id ? read_row(s, *id) : std::nullopt;
    return row ? json(200, render_annotator(*row, true)) : not_found();
  });

  router.add("GET", "/api/annotators/:id/status", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    const auto row = id ? read_row(s, *id) : std::nullopt;
    return row ? json(200, render_annotator_status(*row, s.annotator_domain)) : not_found();
  });

  router.add("POST", "/api/annotators", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/annotator-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(answer(*replayed), "/api/annotators/");
    }
    return create_one(s, req, *body);
  });

  router.add("POST", "/api/annotators/bulk", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/annotator-bulk-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return answer(*replayed);
    }
    return create_bulk(s, req, *body);
  });

  router.add("DELETE", "/api/annotators/bulk", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/annotator-bulk-delete.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return answer(*replayed);
    }
    return delete_bulk(s, req, *body);
  });

  router.add("PUT", "/api/annotators/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/annotator-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return answer(*replayed);
    }
    return update_one(s, req, *id, *body);
  });

  router.add("DELETE", "/api/annotators/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return answer(*replayed);
    }
    return delete_one(s, req, *id);
  });

  // Called by the annotator's Label Studio instance; the gate admits it by X-Webhook-Secret
  // for the annotator in the path.
  router.add("POST", "/api/annotators/:id/token", Access::webhook, [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/annotator-token.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return answer(*replayed);
    }
    return report_token(s, req, *id, *body);
  });

  router.add("GET", "/api/events", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    const auto filter = parse_event_filter(req);
    if (!filter) {
      return filter.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = AuditEventsProjection::list(tx, *filter, page->limit, page->offset);
    return json(200, envelope(render_audit_events(rows), AuditEventsProjection::count(tx, *filter), *page));
  });
}

}  // namespace lf::adapters::http
