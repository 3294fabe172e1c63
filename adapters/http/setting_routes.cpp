// /api/settings: a key-value store of JSON values, each key its own stream.
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/codec/setting_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/http/views.hpp"
#include "adapters/json/json_util.hpp"
#include "domain/setting/setting.hpp"

namespace lf::adapters::http {
namespace {

namespace setting = domain::setting;
using projections::SettingRow;
using projections::SettingsProjection;

HttpResponse not_found() { return error(404, "Setting not found"); }

}  // namespace

void add_setting_routes(Router& router, Services& s) {
  router.add("GET", "/api/settings", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = SettingsProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_array(rows), SettingsProjection::count(tx), *page));
  });

  router.add("GET", "/api/settings/:key", [&s](HttpRequest& req) {
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto row = SettingsProjection::find(tx, req.params["key"]);
    return row ? json(200, render(*row)) : not_found();
  });

  router.add("PUT", "/api/settings/:key", [&s](HttpRequest& req) {
    const auto& key = req.params["key"];
    if (!setting::is_valid_key(key)) {
      return error(400, "Validation failed", {{"key", "must be 1-255 characters of letters, digits and . _ - :"}});
    }
    const auto body = parse_body(req, "requests/setting-put.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "Setting already exists");
    }
    const auto loaded =
        app::load<setting::State>(s.store, setting::stream_id(key), codec::decode_setting, setting::evolve);
    // The value as written, numbers included (a parsed document would round big ones to doubles).
    auto value = json::member_text(req.body, "value").value_or(json::to_string((*body)["value"]));
    const setting::PutSetting command{loaded.state.exists ? 0 : s.ids.next(setting::kStreamType), key, std::move(value),
                                      nullable_string(*body, "description")};
    auto decided = setting::decide(command, loaded.state);
    if (!decided) {
      return from_domain(decided.error());
    }
    auto next = loaded.state;
    for (const auto& e : *decided) {
      next = setting::evolve(next, e);
    }
    app::Decision d;
    d.stream_id = setting::stream_id(key);
    d.stream_type = setting::kStreamType;
    d.expected_version = loaded.state.version;
    d.recorded_at = decided->empty() ? loaded.updated_at : now_rfc3339();
    for (const auto& e : *decided) {
      d.events.push_back(codec::encode(e));
    }
    d.success = {200, render(SettingRow{next.id, next.key, next.value_json, next.description, d.recorded_at})};
    d.projection = SettingsProjection::kName;
    // A concurrent first PUT of the same key loses the race on stream version: 409.
    return respond(s.commands.execute(std::move(d), command_context(req)), "Setting already exists");
  });
}

}  // namespace lf::adapters::http
