// /api/workflows: reads from the workflows read model, writes through the Workflow decider.
// The shell looks up what the decider cannot see (do the referenced role, labeling config and
// workflows exist; the chain above a new predecessor) and guards every stream it read, so the
// append fails if any of them moved before the commit (docs/adr/0008, docs/adr/0010).
#include <climits>
#include <map>
#include <set>

#include "adapters/app/aggregate_loader.hpp"
#include "adapters/codec/workflow_codec.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/http/command_support.hpp"
#include "adapters/http/errors.hpp"
#include "adapters/http/pagination.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/services.hpp"
#include "adapters/http/workflow_views.hpp"
#include "domain/common/references.hpp"
#include "domain/workflow/workflow.hpp"

namespace lf::adapters::http {
namespace {

namespace wf = domain::workflow;
using projections::WorkflowRow;
using projections::WorkflowsProjection;

const char* const kConflict = "Conflict";
const char* const kInUse = "Cannot delete: other workflows chain to or route rejections to this workflow";
constexpr std::size_t kMaxWalk = 10000;

// Workflows of a bulk batch, by their allocated id: their predecessor (they have no stream yet).
using Batch = std::map<std::int64_t, std::optional<std::int64_t>>;

HttpResponse not_found() { return error(404, "Workflow not found"); }

app::Loaded<wf::State> load_workflow(Services& s, std::int64_t id) {
  return app::load<wf::State>(s.store, wf::stream_id(id), codec::decode_workflow, wf::evolve);
}

// ---- reading the body (the schema has checked the types)

std::optional<bool> bool_of(const rapidjson::Value& o, const char* key) {
  const auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsBool()) {
    return std::nullopt;
  }
  return it->value.GetBool();
}

std::optional<double> number_of(const rapidjson::Value& o, const char* key) {
  const auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsNumber()) {
    return std::nullopt;
  }
  return it->value.GetDouble();
}

std::optional<wf::RejectionMode> mode_of(const rapidjson::Value& o) {
  const auto text = optional_string(o, "rejectionMode");
  return text ? wf::parse_rejection_mode(*text) : std::nullopt;
}

template <class T>
std::optional<T> flat(const std::optional<std::optional<T>>& v) {
  return v ? *v : std::nullopt;
}

// A POST body (or a bulk item) as a workflow, defaults for what it leaves out.
wf::Workflow workflow_of(const rapidjson::Value& b, std::int64_t id) {
  wf::Workflow w;
  w.id = id;
  w.name = optional_string(b, "name").value_or("");
  w.role_id = flat(nullable_int(b, "roleId"));
  w.labeling_config_id = flat(nullable_int(b, "labelingConfigId"));
  w.previous_workflow_id = flat(nullable_int(b, "previousWorkflowId"));
  w.s3_source_path = optional_string(b, "s3SourcePath").value_or("");
  w.s3_export_path = optional_string(b, "s3ExportPath").value_or("");
  w.images_per_project = optional_int(b, "imagesPerProject").value_or(wf::kDefaultImagesPerProject);
  w.max_projects = flat(nullable_int(b, "maxProjects"));
  w.estimated_time_minutes = flat(nullable_int(b, "estimatedTimeMinutes"));
  w.auto_assign = bool_of(b, "autoAssign").value_or(true);
  w.gold_standard_rate = number_of(b, "goldStandardRate").value_or(0.0);
  w.shuffle_images = bool_of(b, "shuffleImages").value_or(true);
  w.rejection_mode = mode_of(b).value_or(wf::RejectionMode::none);
  w.rejection_archive_bucket = flat(nullable_string(b, "rejectionArchiveBucket"));
  w.rejection_route_workflow_id = flat(nullable_int(b, "rejectionRouteWorkflowId"));
  w.rejection_return_to_original = bool_of(b, "rejectionReturnToOriginal").value_or(false);
  w.rejection_flag_annotator = bool_of(b, "rejectionFlagAnnotator").value_or(true);
  w.max_rework_iterations = flat(nullable_int(b, "maxReworkIterations"));
  return w;
}

wf::UpdateWorkflow update_of(const rapidjson::Value& b) {
  wf::UpdateWorkflow u;
  u.name = optional_string(b, "name");
  u.role_id = nullable_int(b, "roleId");
  u.labeling_config_id = nullable_int(b, "labelingConfigId");
  u.previous_workflow_id = nullable_int(b, "previousWorkflowId");
  u.s3_source_path = optional_string(b, "s3SourcePath");
  u.s3_export_path = optional_string(b, "s3ExportPath");
  u.images_per_project = optional_int(b, "imagesPerProject");
  u.max_projects = nullable_int(b, "maxProjects");
  u.estimated_time_minutes = nullable_int(b, "estimatedTimeMinutes");
  u.auto_assign = bool_of(b, "autoAssign");
  u.gold_standard_rate = number_of(b, "goldStandardRate");
  u.shuffle_images = bool_of(b, "shuffleImages");
  u.is_active = bool_of(b, "isActive");
  u.rejection_mode = mode_of(b);
  u.rejection_archive_bucket = nullable_string(b, "rejectionArchiveBucket");
  u.rejection_route_workflow_id = nullable_int(b, "rejectionRouteWorkflowId");
  u.rejection_return_to_original = bool_of(b, "rejectionReturnToOriginal");
  u.rejection_flag_annotator = bool_of(b, "rejectionFlagAnnotator");
  u.max_rework_iterations = nullable_int(b, "maxReworkIterations");
  return u;
}

// ---- looking up the facts

void add_guard(std::vector<ports::StreamGuard>& guards, ports::StreamGuard guard) {
  for (const auto& g : guards) {
    if (g.stream_id == guard.stream_id) {
      return;
    }
  }
  guards.push_back(std::move(guard));
}

bool live(Services& s, const std::string& stream_id, std::vector<ports::StreamGuard>& guards) {
  auto guard = live_reference(s.store, stream_id);
  if (!guard) {
    return false;
  }
  add_guard(guards, std::move(*guard));
  return true;
}

// previousWorkflowId's id, its predecessor, … up to the origin, or up to `self` (a cycle).
std::vector<std::int64_t> walk_up(Services& s, std::int64_t start, std::int64_t self, const Batch& batch,
                                  std::vector<ports::StreamGuard>& guards) {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  std::optional<std::int64_t> current = start;
  while (current && out.size() < kMaxWalk) {
    const auto id = *current;
    if (!seen.insert(id).second) {
      break;
    }
    out.push_back(id);
    if (id == self) {
      break;
    }
    if (const auto it = batch.find(id); it != batch.end()) {
      current = it->second;
      continue;
    }
    const auto loaded = load_workflow(s, id);
    if (!loaded.state.exists || loaded.state.deleted) {
      break;
    }
    add_guard(guards, {wf::stream_id(id), loaded.state.version});
    current = loaded.state.workflow.previous_workflow_id;
  }
  return out;
}

// The references a command sets (the ids it names), to be checked.
struct Named {
  std::optional<std::int64_t> role;
  std::optional<std::int64_t> labeling_config;
  std::optional<std::int64_t> previous;
  std::optional<std::int64_t> rejection_route;
};

wf::Facts look_up(Services& s, std::int64_t self, const Named& named, const Batch& batch,
                  std::vector<ports::StreamGuard>& guards) {
  wf::Facts facts;
  if (named.role) {
    facts.role_found = live(s, domain::refs::role_stream(*named.role), guards);
  }
  if (named.labeling_config) {
    facts.labeling_config_found = live(s, domain::refs::labeling_config_stream(*named.labeling_config), guards);
  }
  const auto workflow_found = [&](std::int64_t id) { return batch.contains(id) || live(s, wf::stream_id(id), guards); };
  if (named.previous) {
    facts.previous_found = workflow_found(*named.previous);
    if (facts.previous_found) {
      facts.ancestors = walk_up(s, *named.previous, self, batch, guards);
    }
  }
  if (named.rejection_route) {
    facts.rejection_route_found = workflow_found(*named.rejection_route);
  }
  return facts;
}

// ---- answering

WorkflowRow row_of(pqxx::transaction_base& tx, const wf::Workflow& w, const std::string& created_at,
                   const std::string& updated_at) {
  WorkflowRow r;
  r.id = w.id;
  r.name = w.name;
  r.role_id = w.role_id;
  r.labeling_config_id = w.labeling_config_id;
  r.previous_workflow_id = w.previous_workflow_id;
  r.s3_source_path = w.s3_source_path;
  r.s3_export_path = w.s3_export_path;
  r.images_per_project = w.images_per_project;
  r.max_projects = w.max_projects;
  r.estimated_time_minutes = w.estimated_time_minutes;
  r.auto_assign = w.auto_assign;
  r.gold_standard_rate = w.gold_standard_rate;
  r.shuffle_images = w.shuffle_images;
  r.is_active = w.is_active;
  r.rejection_mode = wf::to_string(w.rejection_mode);
  r.rejection_archive_bucket = w.rejection_archive_bucket;
  r.rejection_route_workflow_id = w.rejection_route_workflow_id;
  r.rejection_return_to_original = w.rejection_return_to_original;
  r.rejection_flag_annotator = w.rejection_flag_annotator;
  r.max_rework_iterations = w.max_rework_iterations;
  r.created_at = created_at;
  r.updated_at = updated_at;
  if (w.role_id) {
    r.role = WorkflowsProjection::role(tx, *w.role_id);
  }
  if (w.labeling_config_id) {
    r.labeling_config = WorkflowsProjection::labeling_config(tx, *w.labeling_config_id);
  }
  return r;
}

// One workflow stream's part of an append: its events and the references it holds after them.
template <class Target>
void fill(Target& t, std::int64_t id, std::int64_t expected_version, const std::vector<wf::Event>& events,
          const wf::State& next) {
  t.stream_id = wf::stream_id(id);
  t.stream_type = wf::kStreamType;
  t.expected_version = expected_version;
  encode_into(t.events, events, [](const wf::Event& e) { return codec::encode(e); });
  std::vector<ports::StreamRef> refs;
  if (!next.deleted) {
    for (const auto& r : wf::references_of(next.workflow)) {
      refs.push_back({r.target, r.kind});
    }
  }
  t.refs = std::move(refs);
}

wf::State fold(wf::State state, const std::vector<wf::Event>& events) {
  for (const auto& e : events) {
    state = wf::evolve(std::move(state), e);
  }
  return state;
}

// What the append must find besides the workflow's own version: the streams the decision read
// unchanged, and no references of the given kinds left to a target.
struct Preconditions {
  std::vector<ports::StreamGuard> guards;
  std::vector<ports::UnreferencedGuard> unreferenced;
};

// How a workflow command answers when it succeeds: `status` with the workflow as the command
// leaves it, or with `fixed_body` when that is set.
struct Answer {
  int status = 200;
  std::optional<std::string> fixed_body;
};

// Runs one decided workflow command and answers as `answer` says.
HttpResponse run(Services& s, const HttpRequest& req, const app::Loaded<wf::State>& loaded, const wf::Command& command,
                 std::int64_t id, Preconditions preconditions, const Answer& answer) {
  auto decided = wf::decide(command, loaded.state);
  if (!decided) {
    return from_domain(decided.error());
  }
  const auto next = fold(loaded.state, *decided);
  app::Decision d;
  fill(d, id, loaded.state.version, *decided, next);
  d.guards = std::move(preconditions.guards);
  d.unreferenced = std::move(preconditions.unreferenced);
  d.recorded_at = decided->empty() ? loaded.updated_at : now_rfc3339();
  if (answer.fixed_body) {
    d.success = {answer.status, *answer.fixed_body};
  } else {
    const auto created_at = loaded.created_at.empty() ? d.recorded_at : loaded.created_at;
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    d.success = {answer.status, render(row_of(tx, next.workflow, created_at, d.recorded_at))};
  }
  d.projection = WorkflowsProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(req)), kConflict);
}

std::string prefixed(std::size_t index, const std::string& path) {
  return "workflows/" + std::to_string(index) + (path.empty() ? "" : "/" + path);
}

// POST /api/workflows/bulk after the schema check.
HttpResponse bulk_create(Services& s, const HttpRequest& req, const rapidjson::Value& items) {
  const auto n = items.Size();
  // Refs: unique, and naming only earlier items.
  std::vector<domain::FieldIssue> issues;
  std::map<std::string, std::size_t> ref_index;
  std::vector<std::optional<std::size_t>> previous_item(n);
  std::vector<std::optional<std::size_t>> route_item(n);
  for (rapidjson::SizeType i = 0; i < n; ++i) {
    const auto& item = items[i];
    const auto resolve = [&](const char* ref_key, const char* id_key, std::optional<std::size_t>& out) {
      const auto ref = optional_string(item, ref_key);
      if (!ref) {
        return;
      }
      if (item.HasMember(id_key)) {
        issues.push_back({prefixed(i, ref_key), std::string("cannot be given together with ") + id_key});
      } else if (const auto it = ref_index.find(*ref); it == ref_index.end()) {
        issues.push_back({prefixed(i, ref_key), "names no earlier item of the batch"});
      } else {
        out = it->second;
      }
    };
    resolve("previousWorkflowRef", "previousWorkflowId", previous_item[i]);
    resolve("rejectionRouteWorkflowRef", "rejectionRouteWorkflowId", route_item[i]);
    if (const auto ref = optional_string(item, "ref")) {
      if (const auto it = ref_index.find(*ref); it != ref_index.end()) {
        issues.push_back({prefixed(i, "ref"), "duplicates the ref of workflows/" + std::to_string(it->second)});
      } else {
        ref_index.emplace(*ref, i);
      }
    }
  }
  if (!issues.empty()) {
    return error(400, "Validation failed", issues);
  }
  // Ids first, so that items can name each other.
  std::vector<wf::Workflow> workflows;
  Batch batch;
  for (rapidjson::SizeType i = 0; i < n; ++i) {
    workflows.push_back(workflow_of(items[i], s.ids.next(wf::kStreamType)));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (previous_item[i]) {
      workflows[i].previous_workflow_id = workflows[*previous_item[i]].id;
    }
    if (route_item[i]) {
      workflows[i].rejection_route_workflow_id = workflows[*route_item[i]].id;
    }
    batch.emplace(workflows[i].id, workflows[i].previous_workflow_id);
  }
  // Decide every item; report the problems of all of them at once.
  std::vector<ports::StreamGuard> guards;
  std::vector<std::vector<wf::Event>> decided(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& w = workflows[i];
    // An item may only name items before it: later ones are not part of its world yet.
    Batch earlier;
    for (std::size_t j = 0; j < i; ++j) {
      earlier.emplace(workflows[j].id, workflows[j].previous_workflow_id);
    }
    const Named named{w.role_id, w.labeling_config_id, w.previous_workflow_id, w.rejection_route_workflow_id};
    auto result = wf::decide(wf::CreateWorkflow{w, look_up(s, w.id, named, earlier, guards)}, wf::State{});
    if (!result) {
      if (result.error().code != domain::Errc::invalid) {
        auto e = result.error();
        for (auto& d : e.details) {
          d.path = prefixed(i, d.path);
        }
        return from_domain(e);
      }
      for (const auto& d : result.error().details) {
        issues.push_back({prefixed(i, d.path), d.message});
      }
      continue;
    }
    decided[i] = std::move(*result);
  }
  if (!issues.empty()) {
    return error(400, "Validation failed", issues);
  }
  app::Decision d;
  d.recorded_at = now_rfc3339();
  std::string answers;
  {
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    for (std::size_t i = 0; i < n; ++i) {
      const auto next = fold(wf::State{}, decided[i]);
      if (i == 0) {
        fill(d, workflows[i].id, 0, decided[i], next);
      } else {
        ports::StreamAppend more;
        fill(more, workflows[i].id, 0, decided[i], next);
        d.more.push_back(std::move(more));
      }
      answers += (i == 0 ? "" : ",") + render(row_of(tx, next.workflow, d.recorded_at, d.recorded_at));
    }
  }
  d.guards = std::move(guards);
  d.success = {201, R"({"created":)" + std::to_string(n) + R"(,"workflows":[)" + answers + "]}"};
  d.projection = WorkflowsProjection::kName;
  return respond(s.commands.execute(std::move(d), command_context(req)), kConflict);
}

}  // namespace

void add_workflow_routes(Router& router, Services& s) {
  router.add("GET", "/api/workflows", [&s](HttpRequest& req) {
    const auto page = parse_page(req);
    if (!page) {
      return page.error();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto rows = WorkflowsProjection::list(tx, page->limit, page->offset);
    return json(200, envelope(render_workflows(rows), WorkflowsProjection::count(tx), *page));
  });

  // More literal segments than /api/workflows/:id: the router prefers this route.
  router.add("GET", "/api/workflows/graph", [&s](HttpRequest&) {
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    return json(200, render_graph(WorkflowsProjection::all(tx)));
  });

  router.add("GET", "/api/workflows/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    auto conn = s.reads.acquire();
    pqxx::read_transaction tx(*conn);
    const auto row = WorkflowsProjection::find(tx, *id);
    return row ? json(200, render_with_chain(*row, WorkflowsProjection::chain(tx, *id))) : not_found();
  });

  router.add("POST", "/api/workflows", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/workflow-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return with_location(respond(*replayed, kConflict), "/api/workflows/");
    }
    // Checked with a provisional id 0 first (a new workflow is nobody's ancestor, so the facts
    // are the same), so a refused workflow burns no id; the decider is pure.
    auto w = workflow_of(*body, 0);
    std::vector<ports::StreamGuard> guards;
    const Named named{w.role_id, w.labeling_config_id, w.previous_workflow_id, w.rejection_route_workflow_id};
    auto facts = look_up(s, 0, named, {}, guards);
    if (auto checked = wf::decide(wf::CreateWorkflow{w, facts}, wf::State{}); !checked) {
      return from_domain(checked.error());
    }
    const auto id = s.ids.next(wf::kStreamType);
    w.id = id;
    return with_location(
        run(s, req, {}, wf::CreateWorkflow{w, std::move(facts)}, id, {.guards = std::move(guards)}, {.status = 201}),
        "/api/workflows/");
  });

  router.add("POST", "/api/workflows/bulk", [&s](HttpRequest& req) {
    const auto body = parse_body(req, "requests/workflow-bulk-create.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kConflict);
    }
    return bulk_create(s, req, (*body)["workflows"]);
  });

  router.add("PUT", "/api/workflows/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    const auto body = parse_body(req, "requests/workflow-update.json");
    if (!body) {
      return body.error();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kConflict);
    }
    auto command = update_of(*body);
    const auto loaded = load_workflow(s, *id);
    std::vector<ports::StreamGuard> guards;
    if (loaded.state.exists && !loaded.state.deleted) {
      const Named named{flat(command.role_id), flat(command.labeling_config_id), flat(command.previous_workflow_id),
                        flat(command.rejection_route_workflow_id)};
      command.facts = look_up(s, *id, named, {}, guards);
    }
    return run(s, req, loaded, command, *id, {.guards = std::move(guards)}, {.status = 200});
  });

  router.add("DELETE", "/api/workflows/:id", [&s](HttpRequest& req) {
    const auto id = parse_id(req.params["id"]);
    if (!id) {
      return not_found();
    }
    if (auto replayed = s.commands.replay(command_context(req))) {
      return respond(*replayed, kConflict);
    }
    std::vector<ports::UnreferencedGuard> unreferenced{
        {wf::stream_id(*id), {domain::refs::kWorkflowPrevious, domain::refs::kWorkflowRejectionRoute}, kInUse}};
    return run(s, req, load_workflow(s, *id), wf::DeleteWorkflow{}, *id, {.unreferenced = std::move(unreferenced)},
               {.status = 200, .fixed_body = R"({"success":true})"});
  });
}

}  // namespace lf::adapters::http
