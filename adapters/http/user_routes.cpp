// /api/users (admins only): accounts, written through the User decider.
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/codec/user_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/http/views.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::http {
namespace {

namespace user = domain::user;
using projections::UserRow;
using projections::UsersProjection;

const char* const kEmailTaken = "Email already exists";

HttpResponse not_found() { return error(404, "User not found"); }

UserRow row_of(const user::State& s, const std::string& created_at, const std::string& updated_at) {
  return {s.id, s.email, s.display_name, domain::to_string(s.role), s.active, created_at, updated_at};
}

HttpResponse run(Services& s, const HttpRequest& req, const app::Loaded<user::State>& loaded,
                 const user::Command& command, std::int64_t id, int status, bool answer_with_user) {
  auto decided = user::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto next = loaded.state;
  for (const auto& e : *decided) {
    next = user::evolve(next, e);
  }
  app::Decision d;
  d.stream_id = user::stream_id(id);
  d.stream_type = user::kStreamType;
  d.expected_version = loaded.state.version;
  d.recorded_at = decided->empty() ? loaded.updated_at : now_rfc3339();
  for (const auto& e : *decided) {
    d.events.push_back(codec::encode(e));
  }
  const auto claims = user::email_claims(loaded.state, *decided);
  for (const auto& v : claims.claim) {
    d.claims.push_back({user::kEmailScope, v});
  }
  for (const auto& v : claims.release) {
    d.releases.push_back({user::kEmailScope, v});
  }
  const auto created_at = loaded.created_at.empty() ? d.recorded_at : loaded.created_at;
  d.success = {status, answer_with_user ? render(row_of(next, created_at, d.recorded_at)) : R"({"success":true})"};
  d.projection = UsersProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(req)), kEmailTaken);
}

app::Loaded<user::State> load_user(Services& s, std::int64_t id) {
  return app::load<user::State>(s.store, user::stream_id(id), codec::decode_user, user::evolve);
}

}  // namespace

// Creates the first admin from LABELFLEET_ADMIN_EMAIL / LABELFLEET_ADMIN_PASSWORD when the
// log holds no user yet. Returns false when there was nothing to do.
bool bootstrap_admin(Services& s, const std::string& email, const std::string& password) {
  {
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    if (!tx.exec("SELECT 1 FROM streams WHERE stream_type = 'user' LIMIT 1").empty()) {
      return false;
    }
  }
  if (const auto issues = user::check_password(password); !issues.empty()) {
    throw std::invalid_argument("LABELFLEET_ADMIN_PASSWORD " + issues.front().message);
  }
  const auto id = s.ids.next(user::kStreamType);
  HttpRequest req;
  req.request_id = new_uuid();
  req.principal = Principal{Principal::Kind::user, 0, domain::Role::admin, "system:bootstrap"};
  const auto r =
      run(s, req, {},
          user::CreateUser{id, email, "Administrator", domain::Role::admin, true, auth::hash_password(password)}, id,
          201, true);
  if (r.status != 201) {
    throw std::runtime_error("could not create the first admin: " + r.body);
  }
  return true;
}

void add_user_routes(Router& router, Services& s) {
  router.add("GET", "/api/users", Access::admin, [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = UsersProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_array(rows), UsersProjection::count(tx), *page));
  });

  router.add("GET", "/api/users/:id", Access::admin, [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto row = UsersProjection::find(tx, *id);
    return row ? json(200, render(*row)) : not_found();
  });

  router.add("POST", "/api/users", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/user-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(respond(*replayed, kEmailTaken), "/api/users/");
    }
    const auto password = optional_string(*body, "password").value_or("");
    if (const auto issues = user::check_password(password); !issues.empty()) {
      return error(400, "Validation failed", issues);
    }
    const auto role =
        domain::parse_role(optional_string(*body, "role").value_or("viewer")).value_or(domain::Role::viewer);
    const bool active = !body->HasMember("active") || (*body)["active"].GetBool();
    const auto id = s.ids.next(user::kStreamType);
    return with_location(run(s, req, {},
                             user::CreateUser{id, optional_string(*body, "email").value_or(""),
                                              optional_string(*body, "displayName").value_or(""), role, active,
                                              auth::hash_password(password)},
                             id, 201, true),
                         "/api/users/");
  });

  router.add("PUT", "/api/users/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/user-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kEmailTaken);
    }
    user::UpdateUser command{optional_string(*body, "email"), optional_string(*body, "displayName"), std::nullopt,
                             std::nullopt, std::nullopt};
    if (const auto role = optional_string(*body, "role")) {
      command.role = domain::parse_role(*role);
    }
    if (body->HasMember("active")) {
      command.active = (*body)["active"].GetBool();
    }
    if (const auto password = optional_string(*body, "password")) {
      if (const auto issues = user::check_password(*password); !issues.empty()) {
        return error(400, "Validation failed", issues);
      }
      command.password_hash = auth::hash_password(*password);
    }
    return run(s, req, load_user(s, *id), command, *id, 200, true);
  });

  router.add("DELETE", "/api/users/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (req.principal && req.principal->kind == Principal::Kind::user && req.principal->id == *id) {
      return error(409, "You cannot delete your own account");
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kEmailTaken);
    }
    return run(s, req, load_user(s, *id), user::DeleteUser{}, *id, 200, false);
  });
}

}  // namespace lf::adapters::http
