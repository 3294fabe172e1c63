// /api/gold-tasks: reads from the gold-tasks read model, writes through the GoldTask decider.
// Expected labels (the gold answers) are shown to admins only (docs/adr/0009-gold-answers.md).
#include "adapters/app/aggregate_loader.hpp"
#include "adapters/codec/gold_task_codec.hpp"
#include "adapters/codec/labeling_config_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/labeling_views.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/json/json_util.hpp"
#include "adapters/labeling/config_parser.hpp"
#include "domain/common/references.hpp"
#include "domain/gold_task/gold_task.hpp"
#include "domain/labeling_config/labeling_config.hpp"

namespace lf::adapters::http {
namespace {

namespace gt = domain::gold_task;
namespace lc = domain::labeling_config;
namespace refs = domain::refs;
using projections::GoldTaskRow;
using projections::GoldTasksProjection;

HttpResponse not_found() { return error(404, "Gold task not found"); }

bool sees_answers(const HttpRequest& req) { return req.principal && req.principal->role == domain::Role::admin; }

app::Loaded<gt::State> load_task(Services& s, std::int64_t id) {
  return app::load<gt::State>(s.store, refs::gold_task_stream(id), codec::decode_gold_task, gt::evolve);
}

// The labeling config a task is to reference, as this decision reads it.
struct ConfigLookup {
  std::optional<lc::ConfigSchema> schema;  // nullopt: no such config, or deleted
  std::optional<ports::StreamGuard> guard;
};

ConfigLookup lookup_config(Services& s, std::int64_t config_id) {
  const auto stream = refs::labeling_config_stream(config_id);
  const auto loaded = app::load<lc::State>(s.store, stream, codec::decode_labeling_config, lc::evolve);
  if (!loaded.state.exists || loaded.state.deleted) {
    return {};
  }
  auto schema = lc::schema_of(labeling::parse_config_xml(loaded.state.config_xml));
  if (!schema) {
    return {};
  }
  // Guarded at the version folded here (not a fresh stream_info): if the config's XML changes
  // or the config is deleted before the append commits, the append fails with 409 instead of
  // keeping labels checked against XML the config no longer has.
  return {std::move(*schema), ports::StreamGuard{stream, loaded.state.version}};
}

gt::ExpectedLabel label_of(const rapidjson::Value& v) {
  gt::ExpectedLabel label;
  label.is_object = v.IsObject();
  if (!label.is_object) {
    return label;
  }
  label.from_name = json::get_string(v, "from_name");
  label.to_name = json::get_string(v, "to_name");
  label.type = json::get_string(v, "type");
  const auto value = v.FindMember("value");
  label.value_is_object = value != v.MemberEnd() && value->value.IsObject();
  return label;
}

gt::ExpectedLabels labels_of(const rapidjson::Value& array) {
  gt::ExpectedLabels out;
  out.json = json::to_string(array);
  if (array.IsArray()) {
    for (const auto& item : array.GetArray()) {
      out.items.push_back(label_of(item));
    }
  }
  return out;
}

// What the task's stored labels hold (for re-checking them against a new config).
std::vector<gt::ExpectedLabel> stored_labels(const std::string& json_text) {
  const auto doc = json::parse(json_text);
  return doc ? labels_of(*doc).items : std::vector<gt::ExpectedLabel>{};
}

GoldTaskRow row_of(const gt::State& st, const std::string& created_at, const std::string& updated_at) {
  return {st.id,         st.name,    st.s3_image_key, st.expected_labels_json, st.labeling_config_id, st.category,
          st.difficulty, created_at, updated_at};
}

// Runs a decided command: encode, record the reference to the config, append, answer.
HttpResponse run(Services& s, const HttpRequest& req, const app::Loaded<gt::State>& loaded, const gt::Command& command,
                 std::int64_t id, int status, const std::optional<ports::StreamGuard>& config_guard) {
  auto decided = gt::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  auto next = loaded.state;
  for (const auto& e : *decided) {
    next = gt::evolve(next, e);
  }
  const bool deleting = std::holds_alternative<gt::DeleteGoldTask>(command);
  app::Decision d;
  d.stream_id = refs::gold_task_stream(id);
  d.stream_type = refs::kGoldTaskType;
  d.expected_version = loaded.state.version;
  d.recorded_at = decided->empty() ? loaded.updated_at : now_rfc3339();
  encode_into(d.events, *decided, [](const gt::Event& e) { return codec::encode(e); });
  if (deleting) {
    d.refs = std::vector<ports::StreamRef>{};  // a deleted task no longer holds its config
  } else {
    d.refs = std::vector<ports::StreamRef>{
        {refs::labeling_config_stream(next.labeling_config_id), refs::kGoldTaskLabelingConfig}};
    if (config_guard) {
      d.guards.push_back(*config_guard);
    }
  }
  const auto created_at = loaded.created_at.empty() ? d.recorded_at : loaded.created_at;
  // Only admins write, so the answer carries the expected labels.
  d.success = {status, deleting ? std::string(R"({"success":true})")
                                : render_gold_task(row_of(next, created_at, d.recorded_at), true)};
  d.projection = GoldTasksProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(req)), "");
}

}  // namespace

void add_gold_task_routes(Router& router, Services& s) {
  router.add("GET", "/api/gold-tasks", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    projections::GoldTaskFilter filter;
    if (const auto it = req.query.find("labelingConfigId"); it != req.query.end()) {
      filter.labeling_config_id = parse_id(it->second);
      if (!filter.labeling_config_id) {
        return error(400, "Invalid query parameters", {{"labelingConfigId", "must be a positive integer"}});
      }
    }
    if (const auto it = req.query.find("category"); it != req.query.end()) {
      filter.category = it->second;
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = GoldTasksProjection::list(tx, filter, page->limit, page->offset);
    return json(200,
                envelope(render_gold_tasks(rows, sees_answers(req)), GoldTasksProjection::count(tx, filter), *page));
  });

  router.add("GET", "/api/gold-tasks/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto row = GoldTasksProjection::find(tx, *id);
    return row ? json(200, render_gold_task(*row, sees_answers(req))) : not_found();
  });

  router.add("POST", "/api/gold-tasks", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/gold-task-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(respond(*replayed, ""), "/api/gold-tasks/");
    }
    gt::CreateGoldTask command;
    command.name = optional_string(*body, "name");
    command.s3_image_key = optional_string(*body, "s3ImageKey").value_or("");
    command.expected_labels = labels_of((*body)["expectedLabels"]);
    command.labeling_config_id = optional_int(*body, "labelingConfigId").value_or(0);
    command.category = optional_string(*body, "category");
    command.difficulty = optional_string(*body, "difficulty");
    auto config = lookup_config(s, command.labeling_config_id);
    command.config = std::move(config.schema);
    // Validate before taking an id: a refused task burns none (the decider is pure).
    if (auto checked = gt::decide(command, {}); !checked) {
      return from_domain(checked.error());
    }
    command.id = s.ids.next(refs::kGoldTaskType);
    const auto id = command.id;
    return with_location(run(s, req, {}, command, id, 201, config.guard), "/api/gold-tasks/");
  });

  router.add("PUT", "/api/gold-tasks/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/gold-task-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "");
    }
    const auto loaded = load_task(s, *id);
    gt::UpdateGoldTask command;
    command.name = nullable_string(*body, "name");
    command.s3_image_key = optional_string(*body, "s3ImageKey");
    if (body->HasMember("expectedLabels")) {
      command.expected_labels = labels_of((*body)["expectedLabels"]);
    }
    command.labeling_config_id = optional_int(*body, "labelingConfigId");
    command.category = nullable_string(*body, "category");
    command.difficulty = nullable_string(*body, "difficulty");
    command.current_labels = stored_labels(loaded.state.expected_labels_json);
    std::optional<ports::StreamGuard> guard;
    if (loaded.state.exists && !loaded.state.deleted) {
      auto config = lookup_config(s, command.labeling_config_id.value_or(loaded.state.labeling_config_id));
      command.config = std::move(config.schema);
      guard = config.guard;
    }
    return run(s, req, loaded, command, *id, 200, guard);
  });

  router.add("DELETE", "/api/gold-tasks/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, "");
    }
    return run(s, req, load_task(s, *id), gt::DeleteGoldTask{}, *id, 200, std::nullopt);
  });
}

}  // namespace lf::adapters::http
