// The statement sink's placeholder substitution and literals, without a server: $n is found
// only where Postgres would see a parameter, and each argument type has the literal exec_params
// would have bound. Quoting itself is libpq's; tests/integration/sql_batch_test.cpp sends
// quoted text through a real server.
#include "projections/sql_batch.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/sql_quote.hpp"

namespace lf::projections {
namespace {

std::string substituted(std::string_view sql, const std::vector<std::string>& literals) {
  return bind_literals(sql, literals);
}

template <class T>
std::string literal(const T& value) {
  return sql_literal(value, lf::testing::sql_text);
}

TEST(SqlBatchPlaceholders, EveryPlaceholderTakesItsArgument) {
  EXPECT_EQ(substituted("SELECT $1, $2, $1", {"1", "'a'"}), "SELECT 1, 'a', 1");
  EXPECT_EQ(substituted("SELECT $2::bigint,$1::jsonb", {"'{}'", "7"}), "SELECT 7::bigint,'{}'::jsonb");
  EXPECT_EQ(substituted("SELECT 1", {}), "SELECT 1");
}

TEST(SqlBatchPlaceholders, TenIsNotOneFollowedByZero) {
  std::vector<std::string> literals;
  for (int i = 1; i <= 11; ++i) {
    literals.push_back("v" + std::to_string(i));
  }
  EXPECT_EQ(substituted("$1 $10 $11 $2 $3 $4 $5 $6 $7 $8 $9 $1", literals), "v1 v10 v11 v2 v3 v4 v5 v6 v7 v8 v9 v1");
  literals.pop_back();
  EXPECT_THROW(substituted("$1 $10 $11 $2 $3 $4 $5 $6 $7 $8 $9", literals), std::invalid_argument);  // no $11
  EXPECT_EQ(substituted("$01", {"x"}), "x");  // as Postgres reads it
}

TEST(SqlBatchPlaceholders, QuotedTextCommentsAndIdentifiersAreLeftAlone) {
  const std::vector<std::string> one{"X"};
  EXPECT_EQ(substituted("SELECT '$1', $1", one), "SELECT '$1', X");
  EXPECT_EQ(substituted("SELECT 'it''s $1', $1", one), "SELECT 'it''s $1', X");
  EXPECT_EQ(substituted("SELECT '', $1, ''''", one), "SELECT '', X, ''''");
  EXPECT_EQ(substituted(R"(SELECT E'\' $1', $1)", one), R"(SELECT E'\' $1', X)");
  EXPECT_EQ(substituted(R"(SELECT e'a\\', $1)", one), R"(SELECT e'a\\', X)");
  EXPECT_EQ(substituted(R"(SELECT 'a\', $1)", one), R"(SELECT 'a\', X)");  // no escapes in a standard string
  EXPECT_EQ(substituted(R"(SELECT "col$1", "a""$1", $1)", one), R"(SELECT "col$1", "a""$1", X)");
  EXPECT_EQ(substituted("SELECT $1 -- not $1, it's a comment\n, $1", one), "SELECT X -- not $1, it's a comment\n, X");
  EXPECT_EQ(substituted("SELECT /* $1 /* it's nested */ $1 */ $1", one), "SELECT /* $1 /* it's nested */ $1 */ X");
  EXPECT_EQ(substituted("SELECT $$ $1 ' $$, $1", one), "SELECT $$ $1 ' $$, X");
  EXPECT_EQ(substituted("SELECT $fn$ $1 $$ $fn$, $1", one), "SELECT $fn$ $1 $$ $fn$, X");
  EXPECT_EQ(substituted("SELECT a$1, $1", one), "SELECT a$1, X");  // '$' inside an identifier
  EXPECT_EQ(substituted("SELECT d ? 'notes', d->>'id', $1", one), "SELECT d ? 'notes', d->>'id', X");
}

TEST(SqlBatchPlaceholders, AStatementEndingInALineCommentEndsTheLine) {
  EXPECT_EQ(substituted("SELECT $1 -- the end", {"1"}), "SELECT 1 -- the end\n");
}

TEST(SqlBatchPlaceholders, ALiteralIsNotSearchedForPlaceholders) {
  EXPECT_EQ(substituted("SELECT $1, $2", {"'$2 $1 --'", "'/*'"}), "SELECT '$2 $1 --', '/*'");
}

TEST(SqlBatchPlaceholders, APlaceholderWithoutArgumentThrows) {
  EXPECT_THROW(substituted("SELECT $2", {"1"}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT $1", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT $0", {"1"}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT $10", {"1"}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT $99999999999999999999999999", {"1"}), std::invalid_argument);
}

TEST(SqlBatchPlaceholders, AnUnusedArgumentThrows) {
  // exec_params fails the same way: the server refuses more parameters than the statement has.
  EXPECT_THROW(substituted("SELECT $1", {"1", "2"}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT '$1'", {"1"}), std::invalid_argument);
}

TEST(SqlBatchPlaceholders, UnterminatedQuotesThrow) {
  EXPECT_THROW(substituted("SELECT 'abc", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT 'abc''", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT \"abc", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT E'abc\\'", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT /* abc", {}), std::invalid_argument);
  EXPECT_THROW(substituted("SELECT $$ abc", {}), std::invalid_argument);
}

TEST(SqlBatchStatements, ASemicolonSeparatesStatementsOnlyOutsideQuotesAndComments) {
  using projections::has_statement_separator;
  EXPECT_FALSE(has_statement_separator("UPDATE t SET a = $1 WHERE id = $2"));
  EXPECT_TRUE(has_statement_separator("UPDATE t SET a = $1; DELETE FROM u"));
  EXPECT_TRUE(has_statement_separator("SELECT 1;"));
  EXPECT_FALSE(has_statement_separator("SELECT ';', \"a;b\", $$;$$, $t$;$t$, E'\\';' -- ;\n /* ; */"));
  EXPECT_TRUE(has_statement_separator("SELECT ';' /* ; */; SELECT 2"));
}

TEST(SqlBatchLiterals, TextIsQuoted) {
  EXPECT_EQ(literal(std::string("it's")), "'it''s'");
  EXPECT_EQ(literal(std::string_view("a")), "'a'");
  EXPECT_EQ(literal("b"), "'b'");
  const char* c = "c";
  EXPECT_EQ(literal(c), "'c'");
  const char* none = nullptr;
  EXPECT_EQ(literal(none), "NULL");
  EXPECT_EQ(literal(std::string()), "''");
}

TEST(SqlBatchLiterals, IntegersAreDecimal) {
  EXPECT_EQ(literal(0), "0");
  EXPECT_EQ(literal(42), "42");
  EXPECT_EQ(literal(std::int64_t{9007199254740993}), "9007199254740993");
  EXPECT_EQ(literal(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(literal(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  // Negative numbers in parentheses: "$1-$2" must not turn into the comment "1--5".
  EXPECT_EQ(literal(-5), "(-5)");
  EXPECT_EQ(substituted("SELECT $1-$2", {literal(1), literal(-5)}), "SELECT 1-(-5)");
}

TEST(SqlBatchLiterals, BoolsOptionalsAndNull) {
  EXPECT_EQ(literal(true), "true");
  EXPECT_EQ(literal(false), "false");
  EXPECT_EQ(literal(std::optional<std::int64_t>()), "NULL");
  EXPECT_EQ(literal(std::optional<std::int64_t>(3)), "3");
  EXPECT_EQ(literal(std::optional<std::string>()), "NULL");
  EXPECT_EQ(literal(std::optional<std::string>("x'y")), "'x''y'");
  EXPECT_EQ(literal(std::optional<bool>(false)), "false");
  EXPECT_EQ(literal(std::nullopt), "NULL");
}

}  // namespace
}  // namespace lf::projections
