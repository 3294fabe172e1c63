// Annotator decider: given events / when command / then events or error.
#include "domain/annotator/annotator.hpp"

#include <gtest/gtest.h>

#include "tests/unit/domain/error_paths.hpp"

namespace lf::domain::annotator {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

const AnnotatorCreated kAlice{
    3, "Alice", "alice@example.com", 1, std::nullopt, Status::created, "alice", "ls_annotator_3", "wxyz"};

CreateAnnotator create_alice() {
  return CreateAnnotator{3,     "  Alice ", " alice@example.com ", 1, true, std::nullopt, "alice", "ls_annotator_3",
                         "wxyz"};
}

TEST(AnnotatorDecider, CreateRecordsCreatedWithTrimmedFieldsAndShellFacts) {
  const auto events = decide(create_alice(), given({}));
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_EQ(events->size(), 1U);
  EXPECT_EQ(std::get<AnnotatorCreated>(events->front()), kAlice);
}

TEST(AnnotatorDecider, NewAnnotatorsAreCreated) {
  const auto s = given({kAlice});
  EXPECT_TRUE(s.exists);
  EXPECT_EQ(s.status, Status::created);
  EXPECT_EQ(s.version, 1);
}

TEST(AnnotatorDecider, CreateRejectsEveryBrokenFieldAtOnce) {
  auto c = create_alice();
  c.name = "   ";
  c.email = "not-an-email";
  c.role_exists = false;
  c.notes = std::string(2001, 'n');
  const auto r = decide(c, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
  EXPECT_EQ(paths(r.error()), (std::vector<std::string>{"name", "email", "roleId", "notes"}));
}

TEST(AnnotatorDecider, NameLimitCountsCharacters) {
  auto c = create_alice();
  c.name.clear();
  for (int i = 0; i < 255; ++i) {
    c.name += "\xC3\xA9";
  }
  EXPECT_TRUE(decide(c, given({})).has_value());
  c.name = std::string(256, 'a');
  const auto r = decide(c, given({}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"name"});
}

TEST(AnnotatorDecider, CreateWithoutRoleNeedsNoRole) {
  auto c = create_alice();
  c.role_id.reset();
  c.role_exists = false;
  const auto r = decide(c, given({}));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(std::get<AnnotatorCreated>(r->front()).role_id.has_value());
}

TEST(AnnotatorDecider, EmailRules) {
  EXPECT_TRUE(is_valid_email("a@b.co"));
  EXPECT_TRUE(is_valid_email("first.last+tag@sub.example.org"));
  EXPECT_FALSE(is_valid_email("plain"));
  EXPECT_FALSE(is_valid_email("@example.com"));
  EXPECT_FALSE(is_valid_email("a@example"));
  EXPECT_FALSE(is_valid_email("a@example."));
  EXPECT_FALSE(is_valid_email("a@.example.com"));
  EXPECT_FALSE(is_valid_email("a@b@example.com"));
  EXPECT_FALSE(is_valid_email("a b@example.com"));
  EXPECT_FALSE(is_valid_email("a@exa..mple.com"));
  EXPECT_FALSE(is_valid_email(std::string(250, 'a') + "@ex.com"));
}

TEST(AnnotatorDecider, SubdomainSlugs) {
  EXPECT_EQ(subdomain_slug("Alice"), "alice");
  EXPECT_EQ(subdomain_slug("  Jean-Luc  Picard!! "), "jean-luc-picard");
  EXPECT_EQ(subdomain_slug("Zoë Ünal"), "zo-nal");
  EXPECT_EQ(subdomain_slug("日本語"), "annotator");
  EXPECT_EQ(subdomain_slug("---"), "annotator");
  const auto long_slug = subdomain_slug(std::string(39, 'a') + " b");
  EXPECT_EQ(long_slug, std::string(39, 'a'));  // cut at 40, trailing '-' trimmed
  EXPECT_EQ(subdomain_candidate("alice", 1), "alice");
  EXPECT_EQ(subdomain_candidate("alice", 2), "alice-2");
  EXPECT_EQ(subdomain_candidate(std::string(40, 'x'), 12), std::string(37, 'x') + "-12");
  EXPECT_LE(subdomain_candidate(std::string(40, 'x'), 12).size(), kMaxSubdomain);
  EXPECT_EQ(database_name(42), "ls_annotator_42");
}

TEST(AnnotatorDecider, UpdateNeedsAtLeastOneField) {
  const auto r = decide(UpdateAnnotator{}, given({kAlice}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid);
}

TEST(AnnotatorDecider, UpdateCarriesTheFullResultingFields) {
  UpdateAnnotator u;
  u.notes = std::optional<std::string>("night shift");
  u.role_id = std::optional<std::int64_t>{};  // clear the role
  const auto r = decide(u, given({kAlice}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ(std::get<AnnotatorUpdated>(r->front()),
            (AnnotatorUpdated{3, "Alice", "alice@example.com", std::nullopt, "night shift", Status::created}));
}

TEST(AnnotatorDecider, UpdateToAMissingRoleIsInvalidOnRoleId) {
  UpdateAnnotator u;
  u.role_id = std::optional<std::int64_t>{9};
  u.role_exists = false;
  const auto r = decide(u, given({kAlice}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(paths(r.error()), std::vector<std::string>{"roleId"});
}

TEST(AnnotatorDecider, UpdateThatChangesNothingRecordsNothing) {
  UpdateAnnotator u;
  u.name = " Alice ";
  const auto r = decide(u, given({kAlice}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(AnnotatorDecider, DeleteSetsStatusDeletedAndEverythingAfterIsNotFound) {
  const auto r = decide(DeleteAnnotator{}, given({kAlice}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1U);
  const auto after = given({kAlice, r->front()});
  EXPECT_EQ(after.status, Status::deleted);
  EXPECT_EQ(after.name, "Alice");  // the history stays
  for (const Command& c : std::vector<Command>{DeleteAnnotator{}, UpdateAnnotator{"Bob", {}, {}, false, {}},
                                               ReportApiToken{"token-abcdefghijk"}}) {
    const auto refused = decide(c, after);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::not_found);
  }
}

TEST(AnnotatorDecider, UnknownAnnotatorIsNotFound) {
  EXPECT_EQ(decide(DeleteAnnotator{}, given({})).error().code, Errc::not_found);
  EXPECT_EQ(decide(UpdateAnnotator{"x", {}, {}, false, {}}, given({})).error().code, Errc::not_found);
}

TEST(AnnotatorDecider, CreateOnExistingStreamConflicts) {
  EXPECT_EQ(decide(create_alice(), given({kAlice})).error().code, Errc::conflict);
}

TEST(AnnotatorDecider, TokenReportKeepsOnlyAHintInState) {
  const auto r = decide(ReportApiToken{"0123456789abcdefWXYZ"}, given({kAlice}));
  ASSERT_TRUE(r.has_value());
  const auto& reported = std::get<ApiTokenReported>(r->front());
  EXPECT_EQ(reported.token, "0123456789abcdefWXYZ");
  EXPECT_EQ(reported.token_hint, "WXYZ");
  EXPECT_EQ(given({kAlice, reported}).api_token_hint, "WXYZ");
  // A short token shows nothing of itself.
  EXPECT_EQ(std::get<ApiTokenReported>(decide(ReportApiToken{"short"}, given({kAlice}))->front()).token_hint, "");
  EXPECT_EQ(decide(ReportApiToken{""}, given({kAlice})).error().code, Errc::invalid);
}

TEST(AnnotatorDecider, EmailClaimsFollowCreateUpdateDelete) {
  const auto created = email_claims(given({}), {kAlice});
  EXPECT_EQ(created.claim, std::vector<std::string>{"alice@example.com"});
  AnnotatorUpdated changed{3, "Alice", "ALICE@new.example", 1, std::nullopt, Status::created};
  const auto updated = email_claims(given({kAlice}), {changed});
  EXPECT_EQ(updated.claim, std::vector<std::string>{"alice@new.example"});
  EXPECT_EQ(updated.release, std::vector<std::string>{"alice@example.com"});
  const auto deleted = email_claims(given({kAlice}), {AnnotatorDeleted{3, "Alice", "alice@example.com", 1}});
  EXPECT_TRUE(deleted.claim.empty());
  EXPECT_EQ(deleted.release, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(subdomain_claims({kAlice}).claim, std::vector<std::string>{"alice"});
  EXPECT_TRUE(subdomain_claims({AnnotatorDeleted{3, "Alice", "alice@example.com", 1}}).release.empty());
}

TEST(AnnotatorDecider, BulkReportsItemPathsAndRefusesDuplicateEmails) {
  auto ok = create_alice();
  auto bad = create_alice();
  bad.email = "nope";
  const auto invalid = decide_bulk_create({ok, bad});
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, Errc::invalid);
  EXPECT_EQ(paths(invalid.error()), std::vector<std::string>{"annotators/1/email"});

  auto twin = create_alice();
  twin.email = "ALICE@example.com";
  const auto duplicate = decide_bulk_create({ok, twin});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, Errc::conflict);
  EXPECT_NE(duplicate.error().message.find("ALICE@example.com"), std::string::npos);

  auto bob = create_alice();
  bob.email = "bob@example.com";
  const auto both = decide_bulk_create({ok, bob});
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->size(), 2U);
  EXPECT_EQ(decide_bulk_create({}).error().code, Errc::invalid);
  EXPECT_EQ(decide_bulk_create(std::vector<CreateAnnotator>(101, ok)).error().code, Errc::invalid);
}

TEST(AnnotatorDecider, StatusNamesRoundTrip) {
  for (const auto* name : {"created", "starting", "active", "stopping", "stopped", "error", "deleted"}) {
    const auto s = parse_status(name);
    ASSERT_TRUE(s.has_value()) << name;
    EXPECT_EQ(to_string(*s), name);
  }
  EXPECT_FALSE(parse_status("running").has_value());
}

}  // namespace
}  // namespace lf::domain::annotator
