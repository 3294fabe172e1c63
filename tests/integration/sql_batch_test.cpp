// The statement sink against a real server: quoted text arrives byte for byte, a flush is one
// multi-statement exec answering its last statement, and a rendered statement means what the
// parameterised one meant once its placeholders carry their casts.
#include "projections/sql_batch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/support/test_db.hpp"

namespace lf {
namespace {

using projections::PreparedStatements;
using projections::SqlBatch;

const std::vector<std::string>& awkward_texts() {
  static const std::vector<std::string> kTexts{
      "",
      "it's",
      "''''",
      R"(say "hi")",
      R"(C:\temp\new \\ \' \")",
      "\\",
      "ends with a backslash\\",
      "line\nbreak\ttab\rreturn",
      "ümlaut, 日本語, emoji 🎉, \u2028 separator",
      "$1 $2 $$ $tag$ -- not a comment /* nor this",
      "'; DROP TABLE events; --",
      R"({"a": "b\"c\\d", "e": "\u00e9\n", "n": [1, 2.50, -3e2]})",
  };
  return kTexts;
}

class SqlBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LF_REQUIRE_DATABASE();
    db_ = std::make_unique<testing::TestDatabase>();
  }

  // Every awkward text, rendered as a literal (an EXECUTE argument with `prepared`) and read
  // back from the server.
  static void expect_round_trip(pqxx::work& tx, PreparedStatements* prepared = nullptr) {
    SqlBatch sql(tx, prepared);
    for (const auto& text : awkward_texts()) {
      sql.add("SELECT $1::text, octet_length($1::text)", text);
      const auto r = sql.flush();
      ASSERT_EQ(r.size(), 1U);
      EXPECT_EQ(r[0][0].as<std::string>(), text);
      EXPECT_EQ(r[0][1].as<std::size_t>(), text.size());
    }
  }

  // Runs `ddl` (a CREATE TABLE the test writes into) in a committed transaction of its own.
  static void create(pqxx::connection& c, const std::string& ddl) {
    pqxx::work tx(c);
    tx.exec(ddl);
    tx.commit();
  }

  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_F(SqlBatchTest, QuotedTextArrivesByteForByte) {
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  expect_round_trip(tx);
}

TEST_F(SqlBatchTest, QuotedTextArrivesByteForByteWithoutStandardConformingStrings) {
  // libpq escapes for the setting the server reports: backslashes are doubled when it is off.
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  tx.exec("SET LOCAL escape_string_warning = off");
  tx.exec("SET LOCAL standard_conforming_strings = off");
  ASSERT_EQ(tx.exec("SHOW standard_conforming_strings")[0][0].as<std::string>(), "off");
  expect_round_trip(tx);
}

TEST_F(SqlBatchTest, QuotedTextArrivesByteForByteAsAnArgumentOfAPreparedStatement) {
  pqxx::connection c(db_->url());
  PreparedStatements prepared;
  {
    pqxx::work tx(c);
    expect_round_trip(tx, &prepared);
  }
  pqxx::work tx(c);
  tx.exec("SET LOCAL escape_string_warning = off");
  tx.exec("SET LOCAL standard_conforming_strings = off");
  expect_round_trip(tx, &prepared);
  EXPECT_EQ(prepared.prepared(), 1U);
  EXPECT_EQ(prepared.unpreparable(), 0U);
}

TEST_F(SqlBatchTest, AFlushIsOneExecAnsweringItsLastStatement) {
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  SqlBatch sql(tx);
  sql.add("SET LOCAL synchronous_commit = off");
  sql.add(
      "CREATE TEMP TABLE sink_test (id bigint PRIMARY KEY, at timestamptz NOT NULL, doc jsonb NOT NULL, note text, "
      "flag boolean NOT NULL, version bigint NOT NULL)");
  for (std::int64_t id = 1; id <= 3; ++id) {
    // INSERT … SELECT from a derived table: the shape of the projections' statements.
    sql.add(
        "INSERT INTO sink_test (id, at, doc, note, flag, version) "
        "SELECT (d->>'id')::bigint, $2::timestamptz, d, d->>'note', $3, $4::bigint FROM (SELECT $1::jsonb AS d) AS ev",
        R"({"id": )" + std::to_string(id) + R"(, "note": "n'\\)" + std::to_string(id) + R"("})",
        "2026-04-01T00:00:00.00" + std::to_string(id) + "Z", id % 2 == 0, id * 10);
  }
  sql.add("UPDATE sink_test SET note = $2 WHERE id = $1::bigint", 3, std::optional<std::string>());
  sql.add(
      "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), doc::text, note, flag, "
      "version FROM sink_test ORDER BY id");
  EXPECT_EQ(sql.size(), 7U);
  const auto rows = sql.flush();
  EXPECT_TRUE(sql.empty());
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0][1].as<std::string>(), "2026-04-01T00:00:00.001Z");
  EXPECT_EQ(rows[1][2].as<std::string>(), R"({"id": 2, "note": "n'\\2"})");
  EXPECT_EQ(rows[0][3].as<std::string>(), "n'\\1");
  EXPECT_TRUE(rows[2][3].is_null());
  EXPECT_FALSE(rows[0][4].as<bool>());
  EXPECT_TRUE(rows[1][4].as<bool>());
  EXPECT_EQ(rows[2][5].as<std::int64_t>(), 30);
  tx.commit();
}

TEST_F(SqlBatchTest, RenderedLiteralsHaveTheTypesOfTheirCasts) {
  // Without a cast a quoted literal in a derived table's select list is text, not the type a
  // parameter would have been given: hence the casts every projection statement carries.
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  SqlBatch sql(tx);
  sql.add(
      "SELECT pg_typeof(x)::text, pg_typeof(y)::text, pg_typeof(z)::text FROM (SELECT $1 AS x, $2::jsonb AS y, "
      "$3::bigint AS z) AS ev",
      "{}", "{}", 5);
  const auto r = sql.flush();
  EXPECT_EQ(r[0][0].as<std::string>(), "text");
  EXPECT_EQ(r[0][1].as<std::string>(), "jsonb");
  EXPECT_EQ(r[0][2].as<std::string>(), "bigint");
}

TEST_F(SqlBatchTest, AFailingStatementFailsTheFlushAndAnEmptyFlushSendsNothing) {
  pqxx::connection c(db_->url());
  pqxx::work tx(c);
  SqlBatch sql(tx);
  sql.add("SELECT 1");
  sql.add("SELECT $1::bigint / 0", 1);
  sql.add("SELECT 2");
  EXPECT_THROW(sql.flush(), pqxx::sql_error);
  EXPECT_TRUE(sql.empty());
  // libpqxx has closed the failed transaction: any statement sent now would throw.
  EXPECT_TRUE(sql.flush().empty());
  EXPECT_EQ(sql.take(), "");
  EXPECT_THROW(tx.exec("SELECT 1"), pqxx::usage_error);
}

TEST_F(SqlBatchTest, AStatementIsPreparedOncePerConnectionThenExecuted) {
  pqxx::connection c(db_->url());
  create(c, "CREATE TABLE sink_prepared (id bigint PRIMARY KEY, doc jsonb NOT NULL, version bigint NOT NULL)");
  const std::string insert =
      "INSERT INTO sink_prepared (id, doc, version) SELECT (d->>'id')::bigint, d, $2::bigint FROM (SELECT $1::jsonb "
      "AS d) AS ev";
  const std::string update = "UPDATE sink_prepared SET version = $2::bigint WHERE id = $1::bigint";
  PreparedStatements prepared;
  {
    pqxx::work tx(c);
    SqlBatch sql(tx, &prepared);
    sql.add(insert, R"({"id": 1})", 1);
    const auto text = sql.take();  // not sent: the statement exists, its row does not
    EXPECT_TRUE(text.starts_with("EXECUTE lf_sql_")) << text;
    EXPECT_TRUE(text.ends_with(R"(('{"id": 1}', 1))")) << text;
    for (std::int64_t id = 1; id <= 3; ++id) {
      sql.add(insert, R"({"id": )" + std::to_string(id) + "}", id);
      sql.add(update, id, id * 10);
    }
    sql.flush();
    tx.commit();
  }
  // The transaction that prepared them is over; the statements are the session's.
  pqxx::work tx(c);
  SqlBatch sql(tx, &prepared);
  sql.add(update, 2, 99);
  sql.add("SELECT id, version FROM sink_prepared ORDER BY id");
  const auto rows = sql.flush();
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0][1].as<std::int64_t>(), 10);
  EXPECT_EQ(rows[1][1].as<std::int64_t>(), 99);
  EXPECT_EQ(rows[2][1].as<std::int64_t>(), 30);
  EXPECT_EQ(prepared.prepared(), 2U);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM pg_prepared_statements")[0][0].as<int>(), 2);
}

TEST_F(SqlBatchTest, PreparedStatementsOutliveARolledBackTransaction) {
  pqxx::connection c(db_->url());
  PreparedStatements prepared;
  const std::string statement = "SELECT $1::bigint * 2";
  {
    pqxx::work tx(c);
    SqlBatch sql(tx, &prepared);
    sql.add(statement, 4);
    EXPECT_EQ(sql.flush()[0][0].as<int>(), 8);
    sql.add("SELECT $1::bigint / 0", 1);
    EXPECT_THROW(sql.flush(), pqxx::sql_error);
  }
  pqxx::work tx(c);
  SqlBatch sql(tx, &prepared);
  sql.add(statement, 5);
  EXPECT_EQ(sql.flush()[0][0].as<int>(), 10);
  EXPECT_EQ(prepared.prepared(), 2U);
}

TEST_F(SqlBatchTest, WhatPostgresCannotPrepareIsSentAsTextAndTheTransactionGoesOn) {
  pqxx::connection c(db_->url());
  PreparedStatements prepared;
  pqxx::work tx(c);
  tx.exec("CREATE TEMP TABLE sink_text (n bigint)");
  SqlBatch sql(tx, &prepared);
  // PREPARE cannot infer $1's type here; the literal '…' IS NULL is fine.
  sql.add("SELECT $1 IS NULL", "x");
  EXPECT_EQ(sql.take(), "SELECT 'x' IS NULL");
  // Several statements cannot be one prepared statement.
  sql.add("INSERT INTO sink_text VALUES ($1::bigint); INSERT INTO sink_text VALUES ($2::bigint)", 1, 2);
  sql.add("SELECT $1 IS NULL", "y");  // tried once per connection
  sql.add("SELECT count(*), sum(n) FROM sink_text");
  const auto r = sql.flush();
  EXPECT_EQ(r[0][0].as<int>(), 2);
  EXPECT_EQ(r[0][1].as<int>(), 3);
  EXPECT_EQ(prepared.prepared(), 0U);
  EXPECT_EQ(prepared.unpreparable(), 2U);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM pg_prepared_statements")[0][0].as<int>(), 0);
}

// The projector's shape: its own BEGIN with the first flush and COMMIT with the last, two
// round trips in all. Statements are prepared once BEGIN has gone out, each in a savepoint of
// its own, so one PostgreSQL cannot prepare leaves the block usable.
TEST_F(SqlBatchTest, InItsOwnBlockABatchPreparesAfterBeginAndCommitsWithItsLastFlush) {
  pqxx::connection c(db_->url());
  create(c, "CREATE TABLE sink_own (n bigint)");
  PreparedStatements prepared;
  const std::string insert = "INSERT INTO sink_own VALUES ($1::bigint)";
  {
    pqxx::nontransaction tx(c);
    SqlBatch sql(tx, &prepared, SqlBatch::OwnBlock{});
    sql.add("BEGIN");
    sql.add(insert, 1);
    EXPECT_EQ(sql.take(), "BEGIN;\nINSERT INTO sink_own VALUES (1::bigint)") << "no block yet: literal text";
    sql.add("BEGIN");
    sql.add(insert, 1);
    sql.flush();
    sql.add(insert, 2);                 // prepared now, inside the block
    sql.add("SELECT $1 IS NULL", "x");  // cannot be prepared: the block goes on
    sql.add("COMMIT");
    sql.flush();
  }
  EXPECT_EQ(prepared.prepared(), 1U);
  EXPECT_EQ(prepared.unpreparable(), 1U);
  pqxx::nontransaction check(c);
  EXPECT_EQ(check.exec("SELECT count(*), sum(n) FROM sink_own")[0][1].as<int>(), 3);
  EXPECT_EQ(check.exec("SELECT count(*) FROM pg_prepared_statements")[0][0].as<int>(), 1);
}

TEST_F(SqlBatchTest, InItsOwnBlockAFailureRolledBackLeavesNothingAndTheConnectionUsable) {
  pqxx::connection c(db_->url());
  create(c, "CREATE TABLE sink_own_failed (n bigint)");
  PreparedStatements prepared;
  {
    pqxx::nontransaction tx(c);
    SqlBatch sql(tx, &prepared, SqlBatch::OwnBlock{});
    sql.add("BEGIN");
    sql.flush();
    sql.add("INSERT INTO sink_own_failed VALUES ($1::bigint)", 1);
    sql.add("SELECT 1 / $1::bigint", 0);
    sql.add("COMMIT");
    EXPECT_THROW(sql.flush(), pqxx::sql_error);
    tx.exec("ROLLBACK");  // what the projector does after any failure
  }
  pqxx::nontransaction check(c);
  EXPECT_EQ(check.exec("SELECT count(*) FROM sink_own_failed")[0][0].as<int>(), 0);
}

TEST_F(SqlBatchTest, OutsideATransactionBlockNothingIsPrepared) {
  pqxx::connection c(db_->url());
  PreparedStatements prepared;
  pqxx::nontransaction tx(c);
  SqlBatch sql(tx, &prepared);
  sql.add("SELECT $1::bigint", 7);
  EXPECT_EQ(sql.take(), "SELECT 7::bigint");
  EXPECT_EQ(prepared.prepared(), 0U);
}

}  // namespace
}  // namespace lf
