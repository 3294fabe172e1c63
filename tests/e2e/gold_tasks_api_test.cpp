// /api/gold-tasks end to end: the built binary over HTTP. Expected labels are checked against
// the labeling config, shown to admins only, and the config/gold-task references hold under
// races and across a rebuild of every read model.
#include <future>
#include <set>

#include "tests/e2e/labeling_e2e_support.hpp"

namespace lf::e2e {
namespace {

class GoldTasksApi : public LabelingSuite<GoldTasksApi> {
 protected:
  // POSTs a gold task; expects 400 and returns the detail paths.
  static std::vector<std::string> refused(const std::string& body, const std::string& what) {
    const auto r = post("/api/gold-tasks", body);
    expect_error(r, 400, what);
    return detail_paths(r.body);
  }

  static std::vector<std::int64_t> listed_ids(const std::string& query) {
    const auto r = get("/api/gold-tasks?limit=500" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::int64_t> out;
    const auto d = parse_json(r.body);
    if (d.IsObject() && d.HasMember("data") && d["data"].IsArray()) {
      for (const auto& item : d["data"].GetArray()) {
        out.push_back(int_member(item, "id").value_or(0));
      }
    }
    return out;
  }
};

TEST_F(GoldTasksApi, CreateGetListUpdateDelete) {
  const auto config = create_config();
  const auto created =
      post("/api/gold-tasks",
           gold_body(config, kCatLabels, R"(,"name":"Gold - Cat","category":"animals","difficulty":"easy")"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto c = parse_json(created.body);
  const auto id = int_member(c, "id");
  ASSERT_TRUE(id.has_value() && *id > 0) << created.body;
  EXPECT_EQ(created.header("location"), gold_path(*id));
  EXPECT_EQ(string_member(c, "name"), "Gold - Cat");
  EXPECT_EQ(string_member(c, "s3ImageKey"), "gold/cat_001.jpg");
  ASSERT_TRUE(c.HasMember("expectedLabels")) << created.body;
  EXPECT_EQ(to_json(c["expectedLabels"]), kCatLabels);
  EXPECT_EQ(int_member(c, "labelingConfigId"), config);
  EXPECT_EQ(string_member(c, "category"), "animals");
  EXPECT_EQ(string_member(c, "difficulty"), "easy");
  EXPECT_TRUE(string_member(c, "createdAt").has_value());
  EXPECT_EQ(stream_event_count(url(), "gold-task-" + std::to_string(*id)), 1);
  // The store records the reference the config's 409 rules read.
  EXPECT_EQ(query_int(url(), "SELECT count(*) FROM stream_refs WHERE source = 'gold-task-" + std::to_string(*id) +
                                 "' AND target = 'labeling-config-" + std::to_string(config) +
                                 "' AND kind = 'gold_task.labeling_config'"),
            1);

  EXPECT_EQ(get(gold_path(*id)).body, created.body);

  // Partial update; null clears; the labels are kept.
  const auto updated = put(gold_path(*id), R"({"category":null,"difficulty":"hard","s3ImageKey":"gold/cat_002.jpg"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  const auto u = parse_json(updated.body);
  EXPECT_TRUE(is_null_member(u, "category")) << updated.body;
  EXPECT_EQ(string_member(u, "difficulty"), "hard");
  EXPECT_EQ(string_member(u, "s3ImageKey"), "gold/cat_002.jpg");
  EXPECT_EQ(string_member(u, "name"), "Gold - Cat");
  EXPECT_EQ(to_json(u["expectedLabels"]), kCatLabels);
  EXPECT_EQ(get(gold_path(*id)).body, updated.body);

  const std::string box = R"([{"from_name":"box","to_name":"image","type":"rectanglelabels",)"
                          R"("value":{"x":10,"y":20.5,"width":30,"height":40,"rectanglelabels":["cat"]}}])";
  const auto relabeled = put(gold_path(*id), std::string(R"({"expectedLabels":)") + box + "}");
  ASSERT_EQ(relabeled.status, 200) << relabeled.body;
  EXPECT_EQ(to_json(parse_json(relabeled.body)["expectedLabels"]), box);
  EXPECT_EQ(get(gold_path(*id)).body, relabeled.body);

  ASSERT_EQ(del(gold_path(*id)).status, 200);
  expect_error(get(gold_path(*id)), 404, "GET after delete");
  expect_error(put(gold_path(*id), R"({"name":"x"})"), 404, "PUT after delete");
  expect_error(del(gold_path(*id)), 404, "DELETE after delete");
  EXPECT_EQ(query_int(url(), "SELECT count(*) FROM stream_refs WHERE source = 'gold-task-" + std::to_string(*id) + "'"),
            0)
      << "a deleted task no longer references its config";
}

TEST_F(GoldTasksApi, UnknownIdsAre404) {
  for (const auto* path : {"/api/gold-tasks/999999", "/api/gold-tasks/x"}) {
    expect_error(get(path), 404, std::string("GET ") + path);
    expect_error(put(path, R"({"name":"x"})"), 404, std::string("PUT ") + path);
    expect_error(del(path), 404, std::string("DELETE ") + path);
  }
}

TEST_F(GoldTasksApi, FieldRulesAre400WithTheirPaths) {
  const auto config = create_config();
  const auto events = event_count(url());
  const auto cfg = std::to_string(config);
  EXPECT_EQ(refused(R"({"expectedLabels":)" + kCatLabels + R"(,"labelingConfigId":)" + cfg + "}", "no s3ImageKey"),
            std::vector<std::string>{"s3ImageKey"});
  EXPECT_EQ(refused(R"({"s3ImageKey":"k","labelingConfigId":)" + cfg + "}", "no expectedLabels"),
            std::vector<std::string>{"expectedLabels"});
  EXPECT_EQ(refused(R"({"s3ImageKey":"k","expectedLabels":)" + kCatLabels + "}", "no labelingConfigId"),
            std::vector<std::string>{"labelingConfigId"});
  EXPECT_EQ(refused(gold_body(config, "[]"), "empty expectedLabels"), std::vector<std::string>{"expectedLabels"});
  EXPECT_EQ(refused(gold_body(config, R"({"from_name":"label"})"), "expectedLabels not an array"),
            std::vector<std::string>{"expectedLabels"});
  EXPECT_EQ(refused(gold_body(config, R"(["label"])"), "a result that is not an object"),
            std::vector<std::string>{"expectedLabels/0"});
  EXPECT_EQ(refused(gold_body(config, kCatLabels, R"(,"s3ImageKey":"")"), "empty s3ImageKey").size(), 1U);
  EXPECT_EQ(refused(R"({"s3ImageKey":)" + json_quote(std::string(1025, 'k')) + R"(,"expectedLabels":)" + kCatLabels +
                        R"(,"labelingConfigId":)" + cfg + "}",
                    "1025-character s3ImageKey"),
            std::vector<std::string>{"s3ImageKey"});
  EXPECT_EQ(refused(gold_body(config, kCatLabels, R"(,"name":)" + json_quote(std::string(256, 'n'))), "long name"),
            std::vector<std::string>{"name"});
  EXPECT_EQ(
      refused(gold_body(config, kCatLabels, R"(,"category":)" + json_quote(std::string(101, 'c'))), "long category"),
      std::vector<std::string>{"category"});
  EXPECT_EQ(refused(gold_body(config, kCatLabels, R"(,"difficulty":"extreme")"), "unknown difficulty"),
            std::vector<std::string>{"difficulty"});
  EXPECT_EQ(refused(gold_body(config, kCatLabels, R"(,"labelingConfigId":0)"), "config id 0").size(), 1U);
  EXPECT_EQ(event_count(url()), events) << "a refused command appends nothing";

  // Lengths count characters: 255 two-byte characters are a valid name.
  std::string accented;
  for (int i = 0; i < 255; ++i) {
    accented += "\xC3\xA9";
  }
  EXPECT_EQ(post("/api/gold-tasks", gold_body(config, kCatLabels, R"(,"name":)" + json_quote(accented))).status, 201);
}

TEST_F(GoldTasksApi, ExpectedLabelsMustFitTheConfig) {
  const auto config = create_config();
  const auto check = [&](const std::string& labels, const std::string& path, const std::string& fragment) {
    const auto r = post("/api/gold-tasks", gold_body(config, labels));
    expect_error(r, 400, path);
    EXPECT_EQ(detail_paths(r.body), std::vector<std::string>{path}) << r.body;
    EXPECT_NE(detail_messages(r).find(fragment), std::string::npos) << r.body;
  };
  check(R"([{"to_name":"image","type":"choices","value":{}}])", "expectedLabels/0/from_name", "");
  check(R"([{"from_name":"mood","to_name":"image","type":"choices","value":{}}])", "expectedLabels/0/from_name",
        "\"mood\" names no control tag");
  check(R"([{"from_name":"label","to_name":"image","type":"choices","value":{}},)"
        R"({"from_name":"label","to_name":"photo","type":"choices","value":{}}])",
        "expectedLabels/1/to_name", "\"photo\" is not an object labeled by control \"label\"");
  check(R"([{"from_name":"box","to_name":"image","type":"choices","value":{}}])", "expectedLabels/0/type",
        "must be \"rectanglelabels\"");
  check(R"([{"from_name":"label","to_name":"image","type":"choices"}])", "expectedLabels/0/value", "");
  check(R"([{"from_name":"label","to_name":"image","type":"choices","value":["cat"]}])", "expectedLabels/0/value", "");
}

TEST_F(GoldTasksApi, MissingOrDeletedConfigIs400) {
  const auto missing = post("/api/gold-tasks", gold_body(987654));
  expect_error(missing, 400, "config that never existed");
  EXPECT_EQ(error_of(missing), "Labeling config not found");
  EXPECT_EQ(detail_paths(missing.body), std::vector<std::string>{"labelingConfigId"});

  const auto config = create_config();
  ASSERT_EQ(del(config_path(config)).status, 200);
  const auto gone = post("/api/gold-tasks", gold_body(config));
  expect_error(gone, 400, "deleted config");
  EXPECT_EQ(error_of(gone), "Labeling config not found");

  const auto live = create_config();
  const auto id = create_gold(live);
  const auto moved = put(gold_path(id), R"({"labelingConfigId":)" + std::to_string(config) + "}");
  expect_error(moved, 400, "PUT to a deleted config");
  EXPECT_EQ(error_of(moved), "Labeling config not found");
}

TEST_F(GoldTasksApi, UpdateRules) {
  const auto config = create_config();
  const auto id = create_gold(config);
  expect_error(put(gold_path(id), "{}"), 400, "empty update");
  expect_error(put(gold_path(id), R"({"expectedLabels":[]})"), 400, "empty labels");
  expect_error(put(gold_path(id), R"({"s3ImageKey":null})"), 400, "null s3ImageKey");
  const auto wrong_type =
      put(gold_path(id), R"({"expectedLabels":[{"from_name":"label","to_name":"image","type":"labels","value":{}}]})");
  expect_error(wrong_type, 400, "labels of the wrong type");
  EXPECT_EQ(detail_paths(wrong_type.body), std::vector<std::string>{"expectedLabels/0/type"});

  // Moving to a config the labels do not fit re-checks them; moving to one they fit moves the
  // reference (and the lock) with the task.
  const auto text_config = create_config("<View><Text name=\"text\"/><Choices name=\"label\" toName=\"text\"/></View>");
  const auto misfit = put(gold_path(id), R"({"labelingConfigId":)" + std::to_string(text_config) + "}");
  expect_error(misfit, 400, "labels that do not fit the new config");
  EXPECT_EQ(detail_paths(misfit.body), std::vector<std::string>{"expectedLabels/0/to_name"});

  const auto twin = create_config();
  const auto moved = put(gold_path(id), R"({"labelingConfigId":)" + std::to_string(twin) + "}");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(int_member(parse_json(moved.body), "labelingConfigId"), twin);
  EXPECT_EQ(int_member(parse_json(get(config_path(config)).body), "goldTaskCount"), 0);
  EXPECT_EQ(int_member(parse_json(get(config_path(twin)).body), "goldTaskCount"), 1);
  EXPECT_EQ(del(config_path(config)).status, 200) << "the old config is free again";
  expect_error(del(config_path(twin)), 409, "the new config is referenced");

  // New labels and a new config together.
  const auto both = put(
      gold_path(id),
      R"({"labelingConfigId":)" + std::to_string(text_config) +
          R"(,"expectedLabels":[{"from_name":"label","to_name":"text","type":"choices","value":{"choices":["x"]}}]})");
  EXPECT_EQ(both.status, 200) << both.body;
}

TEST_F(GoldTasksApi, ListFiltersByConfigAndCategory) {
  const auto a = create_config();
  const auto b = create_config();
  const auto cat = "cat-" + unique_suffix();
  const auto a1 = create_gold(a, R"(,"category":)" + json_quote(cat));
  const auto a2 = create_gold(a);
  const auto b1 = create_gold(b, R"(,"category":)" + json_quote(cat));
  EXPECT_EQ(listed_ids("&labelingConfigId=" + std::to_string(a)), (std::vector<std::int64_t>{a1, a2}));
  EXPECT_EQ(listed_ids("&category=" + cat), (std::vector<std::int64_t>{a1, b1}));
  EXPECT_EQ(listed_ids("&labelingConfigId=" + std::to_string(b) + "&category=" + cat), std::vector<std::int64_t>{b1});
  const auto page = parse_json(get("/api/gold-tasks?labelingConfigId=" + std::to_string(a) + "&limit=1").body);
  EXPECT_EQ(int_member(page["pagination"], "total"), 2);
  EXPECT_TRUE(page["pagination"]["hasMore"].GetBool());
  for (const auto* bad : {"abc", "0", "-1", "1.5", ""}) {
    const auto r = get(std::string("/api/gold-tasks?labelingConfigId=") + bad);
    expect_error(r, 400, std::string("labelingConfigId=") + bad);
    EXPECT_EQ(detail_paths(r.body), std::vector<std::string>{"labelingConfigId"});
  }
}

TEST_F(GoldTasksApi, ViewersDoNotSeeTheAnswers) {
  const auto config = create_config();
  const auto id = create_gold(config, R"(,"category":"secret-check")");
  const auto admin = parse_json(get(gold_path(id)).body);
  ASSERT_TRUE(admin.HasMember("expectedLabels")) << "admins see the answers";

  const auto one = get(gold_path(id), as_viewer());
  ASSERT_EQ(one.status, 200) << one.body;
  const auto v = parse_json(one.body);
  EXPECT_FALSE(v.HasMember("expectedLabels")) << one.body;
  EXPECT_EQ(one.body.find("choices"), std::string::npos) << "no trace of the answer: " << one.body;
  EXPECT_EQ(int_member(v, "id"), id);
  EXPECT_EQ(string_member(v, "s3ImageKey"), "gold/cat_001.jpg");

  const auto list = get("/api/gold-tasks?category=secret-check", as_viewer());
  ASSERT_EQ(list.status, 200) << list.body;
  const auto l = parse_json(list.body);
  ASSERT_EQ(l["data"].Size(), 1U) << list.body;
  EXPECT_FALSE(l["data"][0].HasMember("expectedLabels")) << list.body;
  EXPECT_TRUE(parse_json(get("/api/gold-tasks?category=secret-check").body)["data"][0].HasMember("expectedLabels"));

  expect_error(post("/api/gold-tasks", gold_body(config), as_viewer()), 403, "viewer POST");
  expect_error(put(gold_path(id), R"({"name":"v"})", as_viewer()), 403, "viewer PUT");
  expect_error(del(gold_path(id), "", as_viewer()), 403, "viewer DELETE");
}

// Creating a gold task and deleting its config at the same moment: whichever commits first
// wins, and the log never ends with a live task pointing at a deleted config.
TEST_F(GoldTasksApi, ConcurrentCreateAndConfigDeleteNeverLeaveADanglingTask) {
  constexpr int kRounds = 12;
  int tasks_won = 0;
  int deletes_won = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto config = create_config();
    ASSERT_GT(config, 0);
    std::promise<void> go;
    const auto start = go.get_future().share();
    auto creating = std::async(std::launch::async, [&, start] {
      start.wait();
      return post("/api/gold-tasks", gold_body(config));
    });
    auto deleting = std::async(std::launch::async, [&, start] {
      start.wait();
      return del(config_path(config));
    });
    go.set_value();
    const auto created = creating.get();
    const auto deleted = deleting.get();
    const bool task_exists = created.status == 201;
    const bool config_gone = deleted.status == 200;
    EXPECT_NE(task_exists, config_gone) << "round " << round << ": exactly one may win; create " << created.status
                                        << " " << created.body << ", delete " << deleted.status << " " << deleted.body;
    if (task_exists) {
      ++tasks_won;
      EXPECT_TRUE(deleted.status == 409) << deleted.body;
      const auto id = int_member(parse_json(created.body), "id").value_or(0);
      EXPECT_EQ(get(gold_path(id)).status, 200);
      EXPECT_EQ(get(config_path(config)).status, 200) << "the task's config must still exist";
    } else {
      ++deletes_won;
      EXPECT_TRUE(created.status == 400 || created.status == 409) << created.body;
      EXPECT_EQ(get(config_path(config)).status, 404);
    }
  }
  // The log itself: no live gold task references a config whose last event is a deletion.
  EXPECT_EQ(query_int(url(),
                      "SELECT count(*) FROM stream_refs r JOIN streams s ON s.stream_id = r.target "
                      "WHERE r.kind = 'gold_task.labeling_config' AND (SELECT event_type FROM events e "
                      "WHERE e.stream_id = r.target ORDER BY stream_version DESC LIMIT 1) = 'labeling_config.deleted'"),
            0);
  std::cerr << "[race] tasks won " << tasks_won << ", deletes won " << deletes_won << " of " << kRounds << "\n";
}

// Guarantee 7 for these read models: drop them, replay the log, the API answers the same.
TEST_F(GoldTasksApi, RebuildingEveryProjectionGivesIdenticalAnswers) {
  const auto config = create_config();
  const auto other = create_config();
  ASSERT_EQ(put(config_path(other), R"({"description":"edited"})").status, 200);
  const auto t1 = create_gold(config, R"(,"name":"n\u00e9","category":"rebuild","difficulty":"medium")");
  const auto t2 = create_gold(config, R"(,"category":"rebuild")");
  ASSERT_EQ(put(gold_path(t2), R"({"expectedLabels":[{"from_name":"box","to_name":"image","type":"rectanglelabels",)"
                               R"("value":{"x":1.25,"y":2,"width":3,"height":4,"rectanglelabels":["cat"]}}]})")
                .status,
            200);
  const auto t3 = create_gold(other);
  ASSERT_EQ(del(gold_path(t3)).status, 200);
  const auto gone = create_config();
  ASSERT_EQ(del(config_path(gone)).status, 200);

  const std::vector<std::string> paths{"/api/labeling-configs?limit=500",
                                       config_path(config),
                                       config_path(other),
                                       config_path(gone),
                                       "/api/gold-tasks?limit=500",
                                       "/api/gold-tasks?category=rebuild",
                                       "/api/gold-tasks?labelingConfigId=" + std::to_string(config),
                                       gold_path(t1),
                                       gold_path(t2),
                                       gold_path(t3)};
  const auto snapshot = [&] {
    std::vector<std::string> out;
    for (const auto& p : paths) {
      const auto a = get(p);
      const auto v = get(p, as_viewer());
      out.push_back(p + " " + std::to_string(a.status) + " " + a.body);
      out.push_back(p + " (viewer) " + std::to_string(v.status) + " " + v.body);
    }
    return out;
  };
  const auto before = snapshot();
  const auto rows = [&] {
    return query_rows(url(), "SELECT * FROM rm_labeling_configs ORDER BY id").size() +
           query_rows(url(), "SELECT * FROM rm_gold_tasks ORDER BY id").size();
  };
  const auto rows_before = rows();
  const auto replay = run_binary({"replay", "--all"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_EQ(rows(), rows_before);
  EXPECT_EQ(snapshot(), before);
  const auto again = run_binary({"replay", "gold_tasks"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace lf::e2e
