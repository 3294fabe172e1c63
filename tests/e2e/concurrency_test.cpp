// Racing writers over HTTP (guarantee 2, optimistic concurrency; guarantee 9, a dense log):
// one winner per stream version, the losers get 409, no update is lost.
#include <latch>
#include <mutex>
#include <set>

#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class Concurrency : public ServedSuite<Concurrency> {
 protected:
  // Runs `request(i)` on `n` threads released at once; the results in index order.
  static std::vector<HttpResult> race(int n, const std::function<HttpResult(int)>& request) {
    std::vector<HttpResult> results(static_cast<std::size_t>(n));
    std::latch start(n);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[static_cast<std::size_t>(i)] = request(i);
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    return results;
  }

  static void expect_dense_log() {
    const auto rows = query_rows(url(),
                                 "SELECT count(*), coalesce(min(position), 0), coalesce(max(position), 0), "
                                 "(SELECT position FROM log_head) FROM events");
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0][2], rows[0][0]) << "positions are not dense: count " << rows[0][0] << ", max " << rows[0][2];
    if (rows[0][0] != "0") {
      EXPECT_EQ(rows[0][1], "1");
    }
    EXPECT_EQ(rows[0][3], rows[0][2]) << "log_head differs from the last position";
  }
};

// Half the writers change the description, half the colour, each from the state it read. A
// writer that decided on a stale state would carry the other field's old value into its event
// (a lost update), so every recorded event must be its predecessor with one field changed.
TEST_F(Concurrency, FiftyConcurrentPutsOfOneRoleHaveExactlyOneWinnerPerVersion) {
  const auto created = call(port(), "POST", "/api/roles", R"({"name":)" + json_quote("race-" + unique_suffix()) + "}");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = int_member(parse_json(created.body), "id").value_or(0);
  const auto stream = "role-" + std::to_string(id);
  const auto path = "/api/roles/" + std::to_string(id);

  constexpr int kWriters = 50;
  const auto field = [](int i) { return i % 2 == 0 ? std::string("description") : std::string("color"); };
  const auto value = [](int i) {
    char color[8];
    std::snprintf(color, sizeof color, "#0000%02X", i);
    return i % 2 == 0 ? "writer " + std::to_string(i) : std::string(color);
  };
  const auto results = race(kWriters, [&](int i) {
    return call(port(), "PUT", path, "{" + json_quote(field(i)) + ":" + json_quote(value(i)) + "}");
  });

  int ok = 0;
  int conflicts = 0;
  std::multiset<std::pair<std::string, std::string>> acknowledged;  // (field, value) the server stored
  for (int i = 0; i < kWriters; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    if (r.status == 200) {
      ++ok;
      const auto d = parse_json(r.body);
      EXPECT_EQ(string_member(d, field(i).c_str()), value(i)) << r.body;
      acknowledged.insert({field(i), value(i)});
    } else if (r.status == 409) {
      ++conflicts;
      expect_error(r, 409, "losing writer " + std::to_string(i));
    } else {
      ADD_FAILURE() << "writer " << i << " got " << r.status << ": " << r.body;
    }
  }
  EXPECT_EQ(ok + conflicts, kWriters);
  EXPECT_GE(ok, 1) << "nobody won";

  // The stream: the create and one event per winner, versions 1..n without gap or double.
  const auto rows =
      query_rows(url(),
                 "SELECT stream_version, event_type, data->>'name', coalesce(data->>'description', '<null>'), "
                 "coalesce(data->>'color', '<null>') FROM events WHERE stream_id = " +
                     sql_text(stream) + " ORDER BY stream_version");
  ASSERT_EQ(static_cast<int>(rows.size()), 1 + ok) << "events in " << stream << " vs " << ok << " acknowledged PUTs";
  std::multiset<std::pair<std::string, std::string>> recorded;
  for (std::size_t v = 0; v < rows.size(); ++v) {
    EXPECT_EQ(rows[v][0], std::to_string(v + 1)) << "stream versions are not dense";
    EXPECT_EQ(rows[v][1], v == 0 ? "role.created" : "role.updated");
    if (v == 0) {
      continue;
    }
    const auto& prev = rows[v - 1];
    const auto& cur = rows[v];
    EXPECT_EQ(cur[2], prev[2]) << "version " << v + 1 << " changed the name";
    const bool description_changed = cur[3] != prev[3];
    const bool color_changed = cur[4] != prev[4];
    EXPECT_EQ(description_changed + color_changed, 1)
        << "version " << v + 1 << " is not version " << v << " with one field changed (a lost update): "
        << "description " << prev[3] << " -> " << cur[3] << ", color " << prev[4] << " -> " << cur[4];
    if (description_changed) {
      recorded.insert({"description", cur[3]});
    } else if (color_changed) {
      recorded.insert({"color", cur[4]});
    }
  }
  // No lost update: every acknowledged change is an event of its own.
  EXPECT_EQ(recorded, acknowledged);
  // And the read model holds the last version.
  const auto now = parse_json(call(port(), "GET", path).body);
  EXPECT_EQ(string_member(now, "description").value_or("<null>"), rows.back()[3]);
  EXPECT_EQ(string_member(now, "color").value_or("<null>"), rows.back()[4]);
  expect_dense_log();
}

TEST_F(Concurrency, TwentyConcurrentCreatesOfOneNameHaveExactlyOneWinner) {
  const auto name = "Unique-" + unique_suffix();
  constexpr int kWriters = 20;
  const auto events_before = event_count(url());
  const auto results = race(kWriters, [&](int i) {
    std::string n = name;
    if (i % 2 == 1) {
      for (auto& c : n) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
    }
    return call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(n) + "}");
  });
  int created = 0;
  for (const auto& r : results) {
    if (r.status == 201) {
      ++created;
    } else {
      expect_error(r, 409, "duplicate create");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(event_count(url()), events_before + 1);
  EXPECT_EQ(
      query_int(url(), "SELECT count(*) FROM events WHERE event_type = 'role.created' AND lower(data->>'name') = " +
                           sql_text([&] {
                             std::string l = name;
                             for (auto& c : l) {
                               c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                             }
                             return l;
                           }())),
      1);
  expect_dense_log();
}

TEST_F(Concurrency, ThirtyConcurrentCreatesOfDistinctNamesAllSucceed) {
  constexpr int kWriters = 30;
  const auto prefix = "distinct-" + unique_suffix() + "-";
  const auto events_before = event_count(url());
  const auto results = race(kWriters, [&](int i) {
    return call(port(), "POST", "/api/roles", R"({"name":)" + json_quote(prefix + std::to_string(i)) + "}");
  });
  std::set<std::int64_t> ids;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = int_member(parse_json(r.body), "id").value_or(0);
    ids.insert(id);
    // Read-your-writes holds under load too.
    const auto got = call(port(), "GET", "/api/roles/" + std::to_string(id));
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, r.body);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kWriters)) << "ids must be distinct";
  EXPECT_EQ(event_count(url()), events_before + kWriters);
  expect_dense_log();
}

TEST_F(Concurrency, ConcurrentFirstPutsOfOneSettingCreateItOnce) {
  const auto key = "race.setting." + unique_suffix();
  constexpr int kWriters = 20;
  const auto results = race(kWriters, [&](int i) {
    return call(port(), "PUT", "/api/settings/" + key, R"({"value":)" + std::to_string(i) + "}");
  });
  int ok = 0;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++ok;
    } else {
      expect_error(r, 409, "losing first PUT");
    }
  }
  EXPECT_GE(ok, 1);
  const auto rows = query_rows(url(), "SELECT stream_version, event_type FROM events WHERE stream_id = " +
                                          sql_text("setting-" + key) + " ORDER BY stream_version");
  ASSERT_EQ(static_cast<int>(rows.size()), ok);
  for (std::size_t v = 0; v < rows.size(); ++v) {
    EXPECT_EQ(rows[v][0], std::to_string(v + 1));
    EXPECT_EQ(rows[v][1], v == 0 ? "setting.created" : "setting.changed");
  }
  // One setting with one id, whatever the interleaving.
  EXPECT_EQ(query_int(url(),
                      "SELECT count(DISTINCT data->>'id') FROM events WHERE stream_id = " + sql_text("setting-" + key)),
            1);
  expect_dense_log();
}

}  // namespace
}  // namespace lf::e2e
