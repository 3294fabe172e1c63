// /api/api-keys (admins only): keys for machine clients, shown once, stored hashed.
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/codec/api_key_codec.hpp"
#include "adapters/codec/json_writer.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/http/views.hpp"
#include "domain/api_key/api_key.hpp"

namespace lf::adapters::http {
namespace {

namespace api_key = domain::api_key;
using projections::ApiKeysProjection;

app::Decision decision_for(std::int64_t id, std::int64_t expected, const std::vector<api_key::Event>& events) {
  app::Decision d;
  d.stream_id = api_key::stream_id(id);
  d.stream_type = api_key::kStreamType;
  d.expected_version = expected;
  d.recorded_at = now_rfc3339();
  for (const auto& e : events) {
    d.events.push_back(codec::encode(e));
  }
  d.projection = ApiKeysProjection::kName;
  return d;
}

}  // namespace

void add_api_key_routes(Router& router, Services& s) {
  router.add("GET", "/api/api-keys", Access::admin, [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = ApiKeysProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_array(rows), ApiKeysProjection::count(tx), *page));
  });

  router.add("POST", "/api/api-keys", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/api-key-create.json");
    if (!body) {
      return body.error();
    }
    const auto id = s.ids.next(api_key::kStreamType);
    const auto key = "lfk_" + std::to_string(id) + "_" + auth::random_token(32);
    const auto prefix = key.substr(0, std::min<std::size_t>(key.size(), 4 + std::to_string(id).size() + 5));
    const auto role =
        domain::parse_role(optional_string(*body, "role").value_or("viewer")).value_or(domain::Role::viewer);
    const auto created_by = req.principal && req.principal->kind == Principal::Kind::user ? req.principal->id : 0;
    auto decided = api_key::decide(api_key::CreateApiKey{id, optional_string(*body, "name").value_or(""), role,
                                                         auth::sha256_hex(key), prefix, created_by},
                                   {});
    if (!decided) {
      return from_domain(decided.error());
    }
    auto d = decision_for(id, 0, *decided);
    const auto& created = std::get<api_key::ApiKeyCreated>(decided->front());
    // The key is in this one answer only. It is not kept under an Idempotency-Key either,
    // since that record stores the answer: a retried creation makes a second key.
    codec::JsonWriter w;
    w.begin_object()
        .field("id", id)
        .field("name", created.name)
        .field("role", domain::to_string(role))
        .field("prefix", prefix)
        .field("createdBy", created_by)
        .field("revoked", false)
        .field("createdAt", d.recorded_at)
        .field("key", key);
    d.success = {201, w.end_object().str()};
    auto ctx = command_context(req);
    ctx.idempotency_key.reset();
    auto response = respond(s.commands.execute(std::move(d), ctx), "API key already exists");
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });

  router.add("DELETE", "/api/api-keys/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return error(404, "API key not found");
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "API key already exists");
    }
    const auto loaded =
        app::load<api_key::State>(s.store, api_key::stream_id(*id), codec::decode_api_key, api_key::evolve);
    const auto by = req.principal && req.principal->kind == Principal::Kind::user ? req.principal->id : 0;
    auto decided = api_key::decide(api_key::RevokeApiKey{by}, loaded.state);
    if (!decided) {
      return from_domain(decided.error());
    }
    auto d = decision_for(*id, loaded.state.version, *decided);
    d.success = {200, R"({"success":true})"};
    return respond(s.commands.execute(std::move(d), command_context(req)), "API key already exists");
  });
}

}  // namespace lf::adapters::http
