// User decider: given events / when command / then events or error.
#include "domain/user/user.hpp"

#include <gtest/gtest.h>

namespace lf::domain::user {
namespace {

State given(const std::vector<Event>& history) {
  State s;
  for (const auto& e : history) {
    s = evolve(s, e);
  }
  return s;
}

const UserCreated kAda{1, "ada@fleet.local", "Ada", Role::admin, true, "$argon2id$hash"};

TEST(UserDecider, CreateRecordsTheHashNotThePassword) {
  const auto r = decide(CreateUser{1, " ada@fleet.local ", "Ada", Role::admin, true, "$argon2id$hash"}, given({}));
  ASSERT_TRUE(r.has_value());
  const auto& e = std::get<UserCreated>(r->front());
  EXPECT_EQ(e.email, "ada@fleet.local");
  EXPECT_EQ(e.password_hash, "$argon2id$hash");
  EXPECT_EQ(e.role, Role::admin);
}

TEST(UserDecider, CreateValidatesEmailAndName) {
  const auto r = decide(CreateUser{1, "not-an-email", "", Role::viewer, true, "h"}, given({}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().details.size(), 2U);
  EXPECT_EQ(r.error().details[0].path, "email");
  EXPECT_EQ(r.error().details[1].path, "displayName");
}

TEST(UserDecider, UpdateChangesFieldsAndPasswordSeparately) {
  const auto r = decide(UpdateUser{{}, {}, Role::viewer, false, "$new"}, given({kAda}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2U);
  const auto& updated = std::get<UserUpdated>((*r)[0]);
  EXPECT_EQ(updated.role, Role::viewer);
  EXPECT_FALSE(updated.active);
  EXPECT_EQ(std::get<PasswordChanged>((*r)[1]).password_hash, "$new");
}

TEST(UserDecider, UpdateThatChangesNothingRecordsNothing) {
  const auto r = decide(UpdateUser{"ada@fleet.local", "Ada", Role::admin, true, {}}, given({kAda}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(UserDecider, DeletedUserIsGoneAndInactive) {
  const auto s = given({kAda, UserDeleted{1}});
  EXPECT_FALSE(s.active);
  EXPECT_EQ(decide(UpdateUser{{}, "x", {}, {}, {}}, s).error().code, Errc::not_found);
  EXPECT_EQ(decide(DeleteUser{}, s).error().code, Errc::not_found);
}

TEST(UserEmailClaims, FollowRenamesAndDeletion) {
  EXPECT_EQ(email_claims(given({}), {kAda}).claim, std::vector<std::string>{"ada@fleet.local"});
  const auto renamed = email_claims(given({kAda}), {UserUpdated{1, "Ada@Other.Local", "Ada", Role::admin, true}});
  EXPECT_EQ(renamed.claim, std::vector<std::string>{"ada@other.local"});
  EXPECT_EQ(renamed.release, std::vector<std::string>{"ada@fleet.local"});
  EXPECT_TRUE(email_claims(given({kAda}), {PasswordChanged{1, "x"}}).claim.empty());
  EXPECT_EQ(email_claims(given({kAda}), {UserDeleted{1}}).release, std::vector<std::string>{"ada@fleet.local"});
}

TEST(UserPasswords, LengthRules) {
  EXPECT_FALSE(check_password("short").empty());
  EXPECT_TRUE(check_password("long enough").empty());
  EXPECT_FALSE(check_password(std::string(257, 'p')).empty());
}

TEST(UserEmails, SimpleShapeChecks) {
  EXPECT_TRUE(is_valid_email("a@b.co"));
  EXPECT_FALSE(is_valid_email("a@b"));
  EXPECT_FALSE(is_valid_email("@b.co"));
  EXPECT_FALSE(is_valid_email("a@@b.co"));
  EXPECT_FALSE(is_valid_email("a b@c.co"));
}

}  // namespace
}  // namespace lf::domain::user
