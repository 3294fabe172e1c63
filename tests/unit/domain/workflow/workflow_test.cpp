// Workflow decider: given events / when command / then events or error.
#include "domain/workflow/workflow.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/domain/error_paths.hpp"

namespace lf::domain::workflow {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

Workflow base(std::int64_t id) {
  Workflow w;
  w.id = id;
  w.name = "Stage " + std::to_string(id);
  w.s3_source_path = "images/";
  w.s3_export_path = "exports/";
  return w;
}

Facts found_all(std::vector<std::int64_t> ancestors = {}) {
  return Facts{true, true, true, true, std::move(ancestors)};
}

bool has_path(const Error& e, const std::string& path) {
  const auto p = paths(e);
  return std::find(p.begin(), p.end(), path) != p.end();
}

UpdateWorkflow update() { return UpdateWorkflow{}; }

TEST(WorkflowDecider, CreateRecordsTheWholeWorkflowWithDefaultsAndTrimmedName) {
  auto w = base(3);
  w.name = "  Classify  ";
  const auto r = decide(CreateWorkflow{w, {}}, given({}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  const auto& created = std::get<WorkflowCreated>(r->front()).workflow;
  EXPECT_EQ(created.id, 3);
  EXPECT_EQ(created.name, "Classify");
  EXPECT_EQ(created.images_per_project, 100);
  EXPECT_TRUE(created.auto_assign);
  EXPECT_TRUE(created.shuffle_images);
  EXPECT_TRUE(created.is_active);
  EXPECT_TRUE(created.rejection_flag_annotator);
  EXPECT_FALSE(created.rejection_return_to_original);
  EXPECT_EQ(created.rejection_mode, RejectionMode::none);
  EXPECT_EQ(created.gold_standard_rate, 0.0);
}

TEST(WorkflowDecider, CreateChecksEveryBoundWithItsPath) {
  auto w = base(1);
  w.name = std::string(256, 'n');
  w.s3_source_path = " ";
  w.s3_export_path = std::string(1025, 'e');
  w.images_per_project = 10001;
  w.max_projects = 0;
  w.estimated_time_minutes = 0;
  w.gold_standard_rate = 1.5;
  w.max_rework_iterations = 0;
  const auto r = decide(CreateWorkflow{w, {}}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(paths(r.error()),
            (std::vector<std::string>{"name", "s3SourcePath", "s3ExportPath", "imagesPerProject", "maxProjects",
                                      "estimatedTimeMinutes", "goldStandardRate", "maxReworkIterations"}));
}

TEST(WorkflowDecider, BoundsAreInclusive) {
  auto w = base(1);
  w.name = std::string(255, 'n');
  w.images_per_project = 10000;
  w.max_projects = 1;
  w.gold_standard_rate = 1.0;
  EXPECT_TRUE(decide(CreateWorkflow{w, {}}, given({})).has_value());
  w.images_per_project = 1;
  w.gold_standard_rate = 0.0;
  EXPECT_TRUE(decide(CreateWorkflow{w, {}}, given({})).has_value());
  w.images_per_project = 0;
  EXPECT_TRUE(has_path(decide(CreateWorkflow{w, {}}, given({})).error(), "imagesPerProject"));
}

TEST(WorkflowDecider, RouteToWorkflowRequiresARouteThatIsNotItself) {
  auto w = base(4);
  w.rejection_mode = RejectionMode::route_to_workflow;
  auto r = decide(CreateWorkflow{w, found_all()}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"rejectionRouteWorkflowId"});
  w.rejection_route_workflow_id = 4;
  r = decide(CreateWorkflow{w, found_all()}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details[0].message, "must not be the workflow itself");
  w.rejection_route_workflow_id = 2;
  EXPECT_TRUE(decide(CreateWorkflow{w, found_all()}, given({})).has_value());
}

TEST(WorkflowDecider, ModeSettingsAreOnlyAllowedWithTheirMode) {
  auto w = base(4);
  w.rejection_route_workflow_id = 2;
  w.rejection_archive_bucket = "archive/";
  const auto r = decide(CreateWorkflow{w, found_all()}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(has_path(r.error(), "rejectionRouteWorkflowId"));
  EXPECT_TRUE(has_path(r.error(), "rejectionArchiveBucket"));
  w.rejection_route_workflow_id.reset();
  w.rejection_mode = RejectionMode::archive;
  EXPECT_TRUE(decide(CreateWorkflow{w, found_all()}, given({})).has_value());
}

TEST(WorkflowDecider, MissingReferencesAreInvalidWithTheirField) {
  auto w = base(5);
  w.role_id = 1;
  w.labeling_config_id = 2;
  w.previous_workflow_id = 3;
  w.rejection_mode = RejectionMode::route_to_workflow;
  w.rejection_route_workflow_id = 4;
  const auto r = decide(CreateWorkflow{w, Facts{}}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(paths(r.error()),
            (std::vector<std::string>{"roleId", "labelingConfigId", "previousWorkflowId", "rejectionRouteWorkflowId"}));
  EXPECT_EQ(r.error().details[1].message, "labeling config not found");
  EXPECT_TRUE(decide(CreateWorkflow{w, found_all({3})}, given({})).has_value());
}

TEST(WorkflowDecider, UpdateThatClosesAChainIntoACycleConflictsNamingTheCycle) {
  // 3 is chained below 2, 2 below 1; making 1 follow 3 would give 1 → 3 → 2 → 1.
  const auto one = given({WorkflowCreated{base(1)}});
  auto u = update();
  u.previous_workflow_id = std::optional<std::int64_t>{3};
  u.facts = found_all({3, 2, 1});
  const auto r = decide(u, one);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_EQ(r.error().message, "previousWorkflowId would form a cycle: 1 \xE2\x86\x92 3 \xE2\x86\x92 2 \xE2\x86\x92 1");
}

TEST(WorkflowDecider, ChainingToItselfIsACycle) {
  auto u = update();
  u.previous_workflow_id = std::optional<std::int64_t>{1};
  u.facts = found_all({1});
  const auto r = decide(u, given({WorkflowCreated{base(1)}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_EQ(r.error().message, "previousWorkflowId would form a cycle: 1 \xE2\x86\x92 1");
}

TEST(WorkflowDecider, RejectionRouteMayPointUpstream) {
  // 2 follows 1; 2 routes rejections back to 1: the rework loop, not a chain cycle.
  auto two = base(2);
  two.previous_workflow_id = 1;
  auto u = update();
  u.rejection_mode = RejectionMode::route_to_workflow;
  u.rejection_route_workflow_id = std::optional<std::int64_t>{1};
  u.max_rework_iterations = std::optional<std::int64_t>{3};
  u.facts = found_all();
  const auto r = decide(u, given({WorkflowCreated{two}}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto& after = std::get<WorkflowUpdated>(r->front()).workflow;
  EXPECT_EQ(after.rejection_route_workflow_id, 1);
  EXPECT_EQ(after.previous_workflow_id, 1);
  EXPECT_EQ(after.max_rework_iterations, 3);
}

TEST(WorkflowDecider, UpdateCarriesTheWholeWorkflowAndNullClears) {
  auto w = base(2);
  w.max_projects = 5;
  w.estimated_time_minutes = 30;
  auto u = update();
  u.max_projects = std::optional<std::int64_t>{};
  u.is_active = false;
  u.gold_standard_rate = 0.25;
  const auto r = decide(u, given({WorkflowCreated{w}}));
  ASSERT_TRUE(r.has_value());
  const auto& after = std::get<WorkflowUpdated>(r->front()).workflow;
  EXPECT_EQ(after.max_projects, std::nullopt);
  EXPECT_EQ(after.estimated_time_minutes, 30);
  EXPECT_FALSE(after.is_active);
  EXPECT_EQ(after.gold_standard_rate, 0.25);
  EXPECT_EQ(after.name, w.name);
}

TEST(WorkflowDecider, LeavingARejectionModeDropsItsSettings) {
  auto w = base(2);
  w.rejection_mode = RejectionMode::route_to_workflow;
  w.rejection_route_workflow_id = 1;
  auto u = update();
  u.rejection_mode = RejectionMode::archive;
  u.rejection_archive_bucket = std::optional<std::string>{"bucket/rejected/"};
  const auto r = decide(u, given({WorkflowCreated{w}}));
  ASSERT_TRUE(r.has_value());
  const auto& after = std::get<WorkflowUpdated>(r->front()).workflow;
  EXPECT_EQ(after.rejection_route_workflow_id, std::nullopt);
  EXPECT_EQ(after.rejection_archive_bucket, "bucket/rejected/");
}

TEST(WorkflowDecider, UpdateNeedsAFieldAndALiveWorkflow) {
  EXPECT_EQ(decide(update(), given({WorkflowCreated{base(1)}})).error().code, Errc::invalid);
  auto u = update();
  u.name = "x";
  EXPECT_EQ(decide(u, given({})).error().code, Errc::not_found);
  EXPECT_EQ(decide(u, given({WorkflowCreated{base(1)}, WorkflowDeleted{1}})).error().code, Errc::not_found);
}

TEST(WorkflowDecider, UpdateThatChangesNothingRecordsNothing) {
  auto u = update();
  u.name = "Stage 1";
  u.images_per_project = 100;
  const auto r = decide(u, given({WorkflowCreated{base(1)}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(WorkflowDecider, DeleteRecordsWorkflowDeletedOnce) {
  const auto r = decide(DeleteWorkflow{}, given({WorkflowCreated{base(6)}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<WorkflowDeleted>(r->front()).id, 6);
  EXPECT_EQ(decide(DeleteWorkflow{}, given({WorkflowCreated{base(6)}, WorkflowDeleted{6}})).error().code,
            Errc::not_found);
}

TEST(WorkflowReferences, NameEveryTargetWithItsKind) {
  auto w = base(9);
  w.role_id = 1;
  w.labeling_config_id = 2;
  w.previous_workflow_id = 3;
  w.rejection_route_workflow_id = 4;
  const auto refs = references_of(w);
  ASSERT_EQ(refs.size(), 4U);
  EXPECT_EQ(refs[0].target, "role-1");
  EXPECT_EQ(refs[0].kind, refs::kWorkflowRole);
  EXPECT_EQ(refs[1].target, "labeling-config-2");
  EXPECT_EQ(refs[2].target, "workflow-3");
  EXPECT_EQ(refs[2].kind, refs::kWorkflowPrevious);
  EXPECT_EQ(refs[3].target, "workflow-4");
  EXPECT_EQ(refs[3].kind, refs::kWorkflowRejectionRoute);
  EXPECT_TRUE(references_of(base(1)).empty());
}

}  // namespace
}  // namespace lf::domain::workflow
