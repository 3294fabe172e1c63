// /api/roles: reads from the roles read model, writes through the Role decider.
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/codec/role_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/http/views.hpp"
#include "domain/role/role.hpp"

namespace lf::adapters::http {
namespace {

namespace role = domain::role;
using projections::RoleRow;
using projections::RolesProjection;

const char* const kNameTaken = "Role name already exists";

HttpResponse not_found() { return error(404, "Role not found"); }

app::Loaded<role::State> load_role(Services& s, std::int64_t id) {
  return app::load<role::State>(s.store, role::stream_id(id), codec::decode_role, role::evolve);
}

// Runs a decided role command: encode, claim names, append, answer with `answer(state, time)`.
template <class Answer>
HttpResponse run(Services& s, const HttpRequest& request, const app::Loaded<role::State>& loaded,
                 const role::Command& command, std::int64_t id, int status, Answer answer) {
  auto decided = role::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto next = loaded.state;
  for (const auto& e : *decided) {
    next = role::evolve(next, e);
  }
  app::Decision d;
  d.stream_id = role::stream_id(id);
  d.stream_type = role::kStreamType;
  d.expected_version = loaded.state.version;
  d.recorded_at = now_rfc3339();
  for (const auto& e : *decided) {
    d.events.push_back(codec::encode(e));
  }
  const auto claims = role::name_claims(loaded.state, *decided);
  for (const auto& v : claims.claim) {
    d.claims.push_back({role::kNameScope, v});
  }
  for (const auto& v : claims.release) {
    d.releases.push_back({role::kNameScope, v});
  }
  const auto created_at = loaded.created_at.empty() ? d.recorded_at : loaded.created_at;
  d.success = {status, answer(next, created_at)};
  d.projection = RolesProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(request)), kNameTaken);
}

std::string role_json(const role::State& st, const std::string& created_at) {
  return render(RoleRow{st.id, st.name, st.description, st.color, created_at});
}

}  // namespace

void add_role_routes(Router& router, Services& s) {
  router.add("GET", "/api/roles", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = RolesProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_array(rows), RolesProjection::count(tx), *page));
  });

  router.add("GET", "/api/roles/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto row = RolesProjection::find(tx, *id);
    return row ? json(200, render(*row)) : not_found();
  });

  router.add("POST", "/api/roles", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/role-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(respond(*replayed, kNameTaken), "/api/roles/");
    }
    const auto id = s.ids.next(role::kStreamType);
    const role::CreateRole command{id, optional_string(*body, "name").value_or(""),
                                   optional_string(*body, "description"), optional_string(*body, "color")};
    return with_location(run(s, req, {}, command, id, 201, role_json), "/api/roles/");
  });

  router.add("PUT", "/api/roles/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/role-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kNameTaken);
    }
    const role::UpdateRole command{optional_string(*body, "name"), nullable_string(*body, "description"),
                                   nullable_string(*body, "color")};
    return run(s, req, load_role(s, *id), command, *id, 200, role_json);
  });

  router.add("DELETE", "/api/roles/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kNameTaken);
    }
    return run(s, req, load_role(s, *id), role::DeleteRole{}, *id, 200,
               [](const role::State&, const std::string&) { return std::string(R"({"success":true})"); });
  });
}

}  // namespace lf::adapters::http
