// /api/labeling-configs: reads from the labeling-configs read model (plus the store's reference
// index for usage counts), writes through the LabelingConfig decider.
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/codec/labeling_config_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/labeling_views.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/labeling/config_parser.hpp"
#include "domain/common/references.hpp"
#include "domain/labeling_config/labeling_config.hpp"

namespace lf::adapters::http {
namespace {

namespace lc = domain::labeling_config;
namespace refs = domain::refs;
using projections::LabelingConfigRow;
using projections::LabelingConfigsProjection;

const char* const kCannotUpdateXml = "Cannot update configXml: gold tasks reference this config";
const char* const kCannotDelete = "Cannot delete: config is referenced by workflows or gold tasks";

HttpResponse not_found() { return error(404, "Labeling config not found"); }

app::Loaded<lc::State> load_config(Services& s, std::int64_t id) {
  return app::load<lc::State>(s.store, refs::labeling_config_stream(id), codec::decode_labeling_config, lc::evolve);
}

LabelingConfigRow row_of(const lc::State& st, const std::string& created_at, const std::string& updated_at) {
  return {st.id, st.name, st.description, st.config_xml, created_at, updated_at};
}

// Who points at the config, read from the store's reference index (stream_refs) — the very
// index the append checks before refusing an XML change or a delete (docs/adr/0008) — so
// isLocked never disagrees with the 409 a PUT would get. The read model lags the store; the
// index does not.
ConfigUsage usage_of(pqxx::transaction_base& tx, std::int64_t id) {
  ConfigUsage usage;
  for (const auto& r : tx.exec_params("SELECT kind, count(*) FROM stream_refs WHERE target = $1 GROUP BY kind",
                                      refs::labeling_config_stream(id))) {
    const auto kind = r[0].as<std::string>();
    if (kind == refs::kWorkflowLabelingConfig) {
      usage.workflows = r[1].as<std::int64_t>();
    } else if (kind == refs::kGoldTaskLabelingConfig) {
      usage.gold_tasks = r[1].as<std::int64_t>();
    }
  }
  return usage;
}

// Runs a decided command: encode, guard against referrers when needed, append, answer.
HttpResponse run(Services& s, const HttpRequest& req, const app::Loaded<lc::State>& loaded, const lc::Command& command,
                 std::int64_t id, int status) {
  auto decided = lc::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto next = loaded.state;
  for (const auto& e : *decided) {
    next = lc::evolve(next, e);
  }
  const bool deleting = std::holds_alternative<lc::DeleteLabelingConfig>(command);
  app::Decision d;
  d.stream_id = refs::labeling_config_stream(id);
  d.stream_type = refs::kLabelingConfigType;
  d.expected_version = loaded.state.version;
  d.recorded_at = decided->empty() ? loaded.updated_at : now_rfc3339();
  encode_into(d.events, *decided, [](const lc::Event& e) { return codec::encode(e); });
  if (deleting) {
    d.unreferenced.push_back(
        {d.stream_id, {refs::kWorkflowLabelingConfig, refs::kGoldTaskLabelingConfig}, kCannotDelete});
  } else if (lc::changes_xml(loaded.state, *decided)) {
    // Gold answers were checked against this XML; changing it would silently break scoring.
    d.unreferenced.push_back({d.stream_id, {refs::kGoldTaskLabelingConfig}, kCannotUpdateXml});
  }
  const auto created_at = loaded.created_at.empty() ? d.recorded_at : loaded.created_at;
  d.success = {status,
               deleting ? std::string(R"({"success":true})") : render_config(row_of(next, created_at, d.recorded_at))};
  d.projection = LabelingConfigsProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(req)), "");
}

}  // namespace

void add_labeling_config_routes(Router& router, Services& s) {
  router.add("GET", "/api/labeling-configs", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = LabelingConfigsProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_configs(rows), LabelingConfigsProjection::count(tx), *page));
  });

  router.add("GET", "/api/labeling-configs/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    auto conn = s.reads.acquire();
    // One snapshot for the row and the counts.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn);
    const auto row = LabelingConfigsProjection::find(tx, *id);
    return row ? json(200, render_config(*row, usage_of(tx, *id))) : not_found();
  });

  router.add("POST", "/api/labeling-configs", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/labeling-config-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(respond(*replayed, ""), "/api/labeling-configs/");
    }
    auto xml = optional_string(*body, "configXml").value_or("");
    auto parsed = labeling::parse_config_xml(xml);
    lc::CreateLabelingConfig command{0, optional_string(*body, "name").value_or(""),
                                     optional_string(*body, "description"), std::move(xml), std::move(parsed)};
    // Validate before taking an id: a refused config burns none (the decider is pure).
    if (auto checked = lc::decide(command, {}); !checked) {
      return from_domain(checked.error());
    }
    const auto id = s.ids.next(refs::kLabelingConfigType);
    command.id = id;
    return with_location(run(s, req, {}, command, id, 201), "/api/labeling-configs/");
  });

  router.add("PUT", "/api/labeling-configs/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/labeling-config-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "");
    }
    lc::UpdateLabelingConfig command{optional_string(*body, "name"), nullable_string(*body, "description"),
                                     optional_string(*body, "configXml"), lc::XmlOutline{}};
    if (command.config_xml) {
      command.parsed = labeling::parse_config_xml(*command.config_xml);
    }
    return run(s, req, load_config(s, *id), command, *id, 200);
  });

  router.add("DELETE", "/api/labeling-configs/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "");
    }
    return run(s, req, load_config(s, *id), lc::DeleteLabelingConfig{}, *id, 200);
  });
}

}  // namespace lf::adapters::http
