// Role decider: given events / when command / then events or error.
#include "domain/role/role.hpp"

#include <gtest/gtest.h>

namespace lf::domain::role {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

const RoleCreated kLabeler{7, "labeler", "Image labelers", "#3B82F6"};

TEST(RoleDecider, CreateRecordsRoleCreatedWithTrimmedName) {
  const auto events = decide(CreateRole{7, "  labeler ", "Image labelers", "#3B82F6"}, given({}));
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 1U);
  const auto& created = std::get<RoleCreated>(events->front());
  EXPECT_EQ(created.id, 7);
  EXPECT_EQ(created.name, "labeler");
  EXPECT_EQ(created.description, "Image labelers");
  EXPECT_EQ(created.color, "#3B82F6");
}

TEST(RoleDecider, CreateRejectsEmptyName) {
  const auto r = decide(CreateRole{1, "   ", std::nullopt, std::nullopt}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  ASSERT_EQ(r.error().details.size(), 1U);
  EXPECT_EQ(r.error().details[0].path, "name");
}

TEST(RoleDecider, NameLimitCountsCharactersNotBytes) {
  std::string hundred_e_acute;
  for (int i = 0; i < 100; ++i) {
    hundred_e_acute += "\xC3\xA9";  // é, two bytes
  }
  EXPECT_TRUE(decide(CreateRole{1, hundred_e_acute, std::nullopt, std::nullopt}, given({})).has_value());
  const auto r = decide(CreateRole{1, std::string(101, 'a'), std::nullopt, std::nullopt}, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details[0].path, "name");
}

TEST(RoleDecider, CreateRejectsLongDescriptionAndBadColourTogether) {
  const auto r = decide(CreateRole{1, "ok", std::string(501, 'd'), "blue"}, given({}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().details.size(), 2U);
  EXPECT_EQ(r.error().details[0].path, "description");
  EXPECT_EQ(r.error().details[1].path, "color");
}

TEST(RoleDecider, CreateOnExistingStreamConflicts) {
  const auto r = decide(CreateRole{7, "again", std::nullopt, std::nullopt}, given({kLabeler}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::conflict);
}

TEST(RoleDecider, UpdateOfUnknownOrDeletedRoleIsNotFound) {
  EXPECT_EQ(decide(UpdateRole{"x", {}, {}}, given({})).error().code, Errc::not_found);
  EXPECT_EQ(decide(UpdateRole{"x", {}, {}}, given({kLabeler, RoleDeleted{7}})).error().code, Errc::not_found);
}

TEST(RoleDecider, UpdateNeedsAtLeastOneField) {
  const auto r = decide(UpdateRole{}, given({kLabeler}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
}

TEST(RoleDecider, UpdateCarriesTheWholeRoleAfterTheChange) {
  const auto r = decide(UpdateRole{"reviewer", {}, {}}, given({kLabeler}));
  ASSERT_TRUE(r.has_value());
  const auto& updated = std::get<RoleUpdated>(r->front());
  EXPECT_EQ(updated.id, 7);
  EXPECT_EQ(updated.name, "reviewer");
  EXPECT_EQ(updated.description, "Image labelers");
  EXPECT_EQ(updated.color, "#3B82F6");
}

TEST(RoleDecider, UpdateWithNullClearsAnOptionalField) {
  const auto r = decide(UpdateRole{{}, std::optional<std::string>{}, {}}, given({kLabeler}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<RoleUpdated>(r->front()).description, std::nullopt);
}

TEST(RoleDecider, UpdateThatChangesNothingRecordsNothing) {
  const auto r = decide(UpdateRole{"labeler", {}, std::optional<std::string>{"#3B82F6"}}, given({kLabeler}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(RoleDecider, UpdateValidatesTheResult) {
  const auto r = decide(UpdateRole{{}, {}, std::optional<std::string>{"#GGGGGG"}}, given({kLabeler}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().details[0].path, "color");
}

TEST(RoleDecider, DeleteRecordsRoleDeletedOnce) {
  const auto r = decide(DeleteRole{}, given({kLabeler}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<RoleDeleted>(r->front()).id, 7);
  EXPECT_EQ(decide(DeleteRole{}, given({kLabeler, RoleDeleted{7}})).error().code, Errc::not_found);
}

TEST(RoleEvolve, FoldsVersionsAndFields) {
  const auto s = given({kLabeler, RoleUpdated{7, "reviewer", std::nullopt, "#000000"}});
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.name, "reviewer");
  EXPECT_EQ(s.description, std::nullopt);
  EXPECT_FALSE(s.deleted);
}

TEST(RoleNameClaims, CreateClaimsTheLowerCasedName) {
  const auto c = name_claims(given({}), {RoleCreated{1, "Labeler", {}, {}}});
  EXPECT_EQ(c.claim, std::vector<std::string>{"labeler"});
  EXPECT_TRUE(c.release.empty());
}

TEST(RoleNameClaims, RenameReleasesTheOldNameAndClaimsTheNew) {
  const auto c = name_claims(given({kLabeler}), {RoleUpdated{7, "Reviewer", {}, {}}});
  EXPECT_EQ(c.claim, std::vector<std::string>{"reviewer"});
  EXPECT_EQ(c.release, std::vector<std::string>{"labeler"});
}

TEST(RoleNameClaims, CaseOnlyRenameKeepsTheClaim) {
  const auto c = name_claims(given({kLabeler}), {RoleUpdated{7, "LABELER", {}, {}}});
  EXPECT_TRUE(c.claim.empty());
  EXPECT_TRUE(c.release.empty());
}

TEST(RoleNameClaims, DeleteReleasesTheName) {
  const auto c = name_claims(given({kLabeler}), {RoleDeleted{7}});
  EXPECT_EQ(c.release, std::vector<std::string>{"labeler"});
}

}  // namespace
}  // namespace lf::domain::role
