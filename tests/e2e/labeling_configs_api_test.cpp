// /api/labeling-configs end to end: the built binary over HTTP, the event log and the store's
// reference index checked in PostgreSQL. One `labelfleet serve` serves the suite.
#include "tests/e2e/labeling_e2e_support.hpp"

namespace lf::e2e {
namespace {

class LabelingConfigsApi : public LabelingSuite<LabelingConfigsApi> {
 protected:
  // POSTs a config with `xml`; expects 400 with the message at path configXml and returns it.
  static std::string refused_xml(const std::string& xml, const std::string& what) {
    const auto r = post("/api/labeling-configs", config_body("bad-" + unique_suffix(), xml));
    expect_error(r, 400, what);
    EXPECT_EQ(detail_paths(r.body), std::vector<std::string>{"configXml"}) << what << ": " << r.body;
    return error_of(r) + "\n" + detail_messages(r);
  }
};

TEST_F(LabelingConfigsApi, CreateGetListUpdateDelete) {
  const auto before = event_count(url());
  const std::string name = "Image Classification " + unique_suffix();
  const auto created =
      post("/api/labeling-configs", R"({"name":)" + json_quote("  " + name + " ") +
                                        R"(,"description":"Single-label image classification","configXml":)" +
                                        json_quote(kClassificationXml) + "}");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto c = parse_json(created.body);
  const auto id = int_member(c, "id");
  ASSERT_TRUE(id.has_value() && *id > 0) << created.body;
  EXPECT_EQ(created.header("location"), config_path(*id));
  EXPECT_EQ(string_member(c, "name"), name) << "the name is trimmed";
  EXPECT_EQ(string_member(c, "description"), "Single-label image classification");
  EXPECT_EQ(string_member(c, "configXml"), kClassificationXml);
  const auto created_at = string_member(c, "createdAt");
  ASSERT_TRUE(created_at.has_value()) << created.body;
  EXPECT_EQ(created_at->size(), 24U) << *created_at;
  EXPECT_EQ(string_member(c, "updatedAt"), created_at);
  EXPECT_EQ(event_count(url()), before + 1);
  EXPECT_EQ(stream_event_count(url(), "labeling-config-" + std::to_string(*id)), 1);

  // GET by id: the same config plus its usage counts.
  const auto one = get(config_path(*id));
  ASSERT_EQ(one.status, 200) << one.body;
  const auto o = parse_json(one.body);
  EXPECT_EQ(int_member(o, "workflowCount"), 0) << one.body;
  EXPECT_EQ(int_member(o, "goldTaskCount"), 0) << one.body;
  ASSERT_TRUE(o.HasMember("isLocked") && o["isLocked"].IsBool()) << one.body;
  EXPECT_FALSE(o["isLocked"].GetBool());
  EXPECT_EQ(one.body.substr(0, created.body.size() - 1), created.body.substr(0, created.body.size() - 1))
      << "GET by id is the created config followed by the counts";

  // The list (paginated envelope) has exactly the created body.
  const auto list = get("/api/labeling-configs?limit=500");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto l = parse_json(list.body);
  ASSERT_TRUE(l.IsObject() && l.HasMember("data") && l["data"].IsArray() && l.HasMember("pagination")) << list.body;
  bool listed = false;
  for (const auto& item : l["data"].GetArray()) {
    if (int_member(item, "id") == *id) {
      listed = true;
      EXPECT_EQ(to_json(item), created.body);
    }
  }
  EXPECT_TRUE(listed) << list.body;
  EXPECT_EQ(int_member(l["pagination"], "limit"), 500);

  // A partial update keeps what it does not mention; null clears the description.
  const auto renamed = put(config_path(*id), R"({"name":"Renamed )" + unique_suffix() + R"(","description":null})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  const auto u = parse_json(renamed.body);
  EXPECT_TRUE(is_null_member(u, "description")) << renamed.body;
  EXPECT_EQ(string_member(u, "configXml"), kClassificationXml);
  EXPECT_EQ(string_member(u, "createdAt"), created_at);

  // A new XML is accepted while nothing references the config.
  const std::string xml2 = "<View><Text name=\"text\" value=\"$text\"/><Labels name=\"ner\" toName=\"text\"/></View>";
  const auto rexml = put(config_path(*id), R"({"configXml":)" + json_quote(xml2) + "}");
  ASSERT_EQ(rexml.status, 200) << rexml.body;
  EXPECT_EQ(string_member(parse_json(rexml.body), "configXml"), xml2);
  EXPECT_EQ(string_member(parse_json(get(config_path(*id)).body), "configXml"), xml2);

  // The same values again record nothing.
  const auto events = event_count(url());
  EXPECT_EQ(put(config_path(*id), R"({"configXml":)" + json_quote(xml2) + "}").status, 200);
  EXPECT_EQ(event_count(url()), events);

  const auto deleted = del(config_path(*id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.body, R"({"success":true})");
  expect_error(get(config_path(*id)), 404, "GET after delete");
  expect_error(put(config_path(*id), R"({"name":"x"})"), 404, "PUT after delete");
  expect_error(del(config_path(*id)), 404, "DELETE after delete");
  const auto types = query_rows(url(), "SELECT event_type FROM events WHERE stream_id = 'labeling-config-" +
                                           std::to_string(*id) + "' ORDER BY stream_version");
  ASSERT_EQ(types.size(), 4U);
  EXPECT_EQ(types[0][0], "labeling_config.created");
  EXPECT_EQ(types[1][0], "labeling_config.updated");
  EXPECT_EQ(types[3][0], "labeling_config.deleted");
}

TEST_F(LabelingConfigsApi, UnknownIdsAre404) {
  for (const auto* path : {"/api/labeling-configs/999999", "/api/labeling-configs/abc", "/api/labeling-configs/0"}) {
    expect_error(get(path), 404, std::string("GET ") + path);
    expect_error(put(path, R"({"name":"x"})"), 404, std::string("PUT ") + path);
    expect_error(del(path), 404, std::string("DELETE ") + path);
  }
}

TEST_F(LabelingConfigsApi, MalformedXmlSaysWhatAndWhere) {
  const auto message = refused_xml("<View>\n  <Image name=\"image\" value=\"$image\">\n</View>", "mismatched tags");
  EXPECT_NE(message.find("not well-formed XML"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3, column"), std::string::npos) << message;

  const auto unclosed = refused_xml("<View>\n<Image name=\"image\n", "unclosed attribute");
  EXPECT_NE(unclosed.find("not well-formed XML"), std::string::npos) << unclosed;

  const auto not_xml = refused_xml("just some text", "no element at all");
  EXPECT_NE(not_xml.find("not well-formed XML"), std::string::npos) << not_xml;

  const auto two_roots =
      refused_xml("<View><Image name=\"image\"/></View>\n<View><Text name=\"t\"/></View>", "two roots");
  EXPECT_NE(two_roots.find("second top-level element"), std::string::npos) << two_roots;
  EXPECT_NE(two_roots.find("line 2"), std::string::npos) << two_roots;

  const auto repeated = refused_xml("<View>\n<Image name=\"a\" name=\"b\"/></View>", "repeated attribute");
  EXPECT_NE(repeated.find("attribute 'name' repeated"), std::string::npos) << repeated;
}

TEST_F(LabelingConfigsApi, RootMustBeView) {
  const auto message = refused_xml("<Page>\n  <Image name=\"image\"/>\n</Page>", "root <Page>");
  EXPECT_NE(message.find("root element must be <View>, found <Page> at line 1"), std::string::npos) << message;
}

TEST_F(LabelingConfigsApi, NeedsAnObjectTag) {
  const auto message = refused_xml("<View>\n  <Header value=\"Pick one\"/>\n  <View/>\n</View>", "no object tag");
  EXPECT_NE(message.find("no Label Studio object tag"), std::string::npos) << message;
}

TEST_F(LabelingConfigsApi, ControlTagsMustPointAtObjectTags) {
  const auto missing = refused_xml(
      "<View>\n  <Image name=\"image\"/>\n  <Choices name=\"label\" toName=\"img\">\n    <Choice value=\"a\"/>\n"
      "  </Choices>\n</View>",
      "toName names nothing");
  EXPECT_NE(missing.find("<Choices name=\"label\"> at line 3: toName \"img\" names no object tag"), std::string::npos)
      << missing;

  const auto no_to_name =
      refused_xml("<View>\n  <Image name=\"image\"/>\n  <Labels name=\"l\"/>\n</View>", "no toName");
  EXPECT_NE(no_to_name.find("<Labels name=\"l\"> at line 3 has no toName attribute"), std::string::npos) << no_to_name;

  const auto no_name = refused_xml("<View>\n  <Image value=\"$image\"/>\n</View>", "unnamed object");
  EXPECT_NE(no_name.find("<Image> at line 2 has no name attribute"), std::string::npos) << no_name;

  const auto duplicate =
      refused_xml("<View>\n  <Image name=\"x\"/>\n  <Choices name=\"x\" toName=\"x\"/>\n</View>", "duplicate names");
  EXPECT_NE(duplicate.find("name \"x\" is already used at line 2"), std::string::npos) << duplicate;

  // One toName entry of several may be the broken one.
  const auto pairwise = refused_xml(
      "<View>\n<Text name=\"left\"/>\n<Text name=\"right\"/>\n<Pairwise name=\"pw\" toName=\"left,middle\"/>\n</View>",
      "pairwise");
  EXPECT_NE(pairwise.find("toName \"middle\""), std::string::npos) << pairwise;
}

TEST_F(LabelingConfigsApi, XmlIsLimitedTo50000Characters) {
  std::string xml = "<View><Image name=\"image\"/><!--";
  const std::string tail = "--></View>";
  xml += std::string(50000 - xml.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(xml.size(), 50000U);
  const auto ok = post("/api/labeling-configs", config_body("max-" + unique_suffix(), xml));
  EXPECT_EQ(ok.status, 201) << ok.body.substr(0, 300);
  const auto too_long = post("/api/labeling-configs", config_body("over-" + unique_suffix(), xml + " "));
  expect_error(too_long, 400, "50001 characters");
  EXPECT_EQ(detail_paths(too_long.body), std::vector<std::string>{"configXml"});
}

TEST_F(LabelingConfigsApi, FieldRulesAre400WithTheirPaths) {
  const auto events = event_count(url());
  const auto empty_name = post("/api/labeling-configs", config_body("", kClassificationXml));
  expect_error(empty_name, 400, "empty name");
  EXPECT_EQ(detail_paths(empty_name.body), std::vector<std::string>{"name"});
  const auto blank_name = post("/api/labeling-configs", config_body("   ", kClassificationXml));
  expect_error(blank_name, 400, "blank name");
  EXPECT_EQ(detail_paths(blank_name.body), std::vector<std::string>{"name"});
  const auto long_name = post("/api/labeling-configs", config_body(std::string(101, 'n'), kClassificationXml));
  expect_error(long_name, 400, "101-character name");
  EXPECT_EQ(detail_paths(long_name.body), std::vector<std::string>{"name"});
  const auto long_description =
      post("/api/labeling-configs", R"({"name":"d","description":)" + json_quote(std::string(501, 'd')) +
                                        R"(,"configXml":)" + json_quote(kClassificationXml) + "}");
  expect_error(long_description, 400, "501-character description");
  EXPECT_EQ(detail_paths(long_description.body), std::vector<std::string>{"description"});
  const auto no_xml = post("/api/labeling-configs", R"({"name":"no xml"})");
  expect_error(no_xml, 400, "missing configXml");
  EXPECT_EQ(detail_paths(no_xml.body), std::vector<std::string>{"configXml"});
  expect_error(
      post("/api/labeling-configs", R"({"name":"x","configXml":)" + json_quote(kClassificationXml) + R"(,"extra":1})"),
      400, "unknown member");
  expect_error(post("/api/labeling-configs", "{not json"), 400, "malformed JSON");
  EXPECT_EQ(event_count(url()), events) << "a refused command appends nothing";

  const auto id = create_config();
  expect_error(put(config_path(id), "{}"), 400, "empty update");
  expect_error(put(config_path(id), R"({"configXml":null})"), 400, "null configXml");
  const auto bad_xml = put(config_path(id), R"({"configXml":"<View><Image/></View>"})");
  expect_error(bad_xml, 400, "PUT with broken XML");
  EXPECT_EQ(detail_paths(bad_xml.body), std::vector<std::string>{"configXml"});
  EXPECT_NE(error_of(bad_xml).find("has no name attribute"), std::string::npos) << bad_xml.body;
}

TEST_F(LabelingConfigsApi, GoldTasksLockTheXmlAndBlockDeletion) {
  const auto id = create_config();
  const auto gold = create_gold(id);
  ASSERT_GT(gold, 0);

  const auto locked = parse_json(get(config_path(id)).body);
  EXPECT_EQ(int_member(locked, "goldTaskCount"), 1);
  EXPECT_EQ(int_member(locked, "workflowCount"), 0);
  ASSERT_TRUE(locked.HasMember("isLocked"));
  EXPECT_TRUE(locked["isLocked"].GetBool());

  const auto events = event_count(url());
  const std::string xml2 = kClassificationXml + "\n";
  const auto change = put(config_path(id), R"({"configXml":)" + json_quote(xml2) + "}");
  expect_error(change, 409, "XML change while gold tasks reference the config");
  EXPECT_EQ(error_of(change), "Cannot update configXml: gold tasks reference this config");
  const auto remove = del(config_path(id));
  expect_error(remove, 409, "delete while gold tasks reference the config");
  EXPECT_EQ(error_of(remove), "Cannot delete: config is referenced by workflows or gold tasks");
  EXPECT_EQ(event_count(url()), events) << "a refused command appends nothing";
  EXPECT_EQ(get(config_path(id)).status, 200);

  // Renaming, and sending the same XML, stay allowed.
  EXPECT_EQ(put(config_path(id), R"({"name":"still usable )" + unique_suffix() + R"("})").status, 200);
  EXPECT_EQ(put(config_path(id), R"({"configXml":)" + json_quote(kClassificationXml) + "}").status, 200);

  // A second task counts; deleting both unlocks the config.
  const auto gold2 = create_gold(id);
  EXPECT_EQ(int_member(parse_json(get(config_path(id)).body), "goldTaskCount"), 2);
  ASSERT_EQ(del(gold_path(gold)).status, 200);
  ASSERT_EQ(del(gold_path(gold2)).status, 200);
  const auto unlocked = parse_json(get(config_path(id)).body);
  EXPECT_EQ(int_member(unlocked, "goldTaskCount"), 0);
  EXPECT_FALSE(unlocked["isLocked"].GetBool());
  EXPECT_EQ(put(config_path(id), R"({"configXml":)" + json_quote(xml2) + "}").status, 200);
  EXPECT_EQ(del(config_path(id)).status, 200);
}

TEST_F(LabelingConfigsApi, WorkflowReferencesBlockDeletionButNotXmlEdits) {
  // Workflows are another aggregate; what their append leaves behind for this rule is one row
  // of the store's reference index, written here directly.
  const auto id = create_config();
  {
    pqxx::connection conn(url());
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO stream_refs (target, source, kind) VALUES ($1, 'workflow-990001', "
        "'workflow.labeling_config')",
        "labeling-config-" + std::to_string(id));
    tx.commit();
  }
  const auto o = parse_json(get(config_path(id)).body);
  EXPECT_EQ(int_member(o, "workflowCount"), 1);
  EXPECT_FALSE(o["isLocked"].GetBool()) << "only gold tasks lock the XML";
  EXPECT_EQ(put(config_path(id), R"({"configXml":)" + json_quote(kClassificationXml + " ") + "}").status, 200);
  const auto remove = del(config_path(id));
  expect_error(remove, 409, "delete while a workflow references the config");
  EXPECT_EQ(error_of(remove), "Cannot delete: config is referenced by workflows or gold tasks");
}

TEST_F(LabelingConfigsApi, ViewersReadButDoNotWrite) {
  const auto id = create_config();
  EXPECT_EQ(get(config_path(id), as_viewer()).status, 200);
  EXPECT_EQ(get("/api/labeling-configs", as_viewer()).status, 200);
  expect_error(post("/api/labeling-configs", config_body("viewer", kClassificationXml), as_viewer()), 403,
               "viewer POST");
  expect_error(put(config_path(id), R"({"name":"v"})", as_viewer()), 403, "viewer PUT");
  expect_error(del(config_path(id), "", as_viewer()), 403, "viewer DELETE");
  expect_error(get(config_path(id), {{"Authorization", ""}}), 401, "no credential");
}

TEST_F(LabelingConfigsApi, ListIsPaginated) {
  for (int i = 0; i < 3; ++i) {
    create_config();
  }
  const auto all = parse_json(get("/api/labeling-configs?limit=500").body);
  const auto total = int_member(all["pagination"], "total").value_or(0);
  ASSERT_GE(total, 3);
  const auto page = get("/api/labeling-configs?limit=2&offset=1");
  ASSERT_EQ(page.status, 200);
  const auto p = parse_json(page.body);
  EXPECT_EQ(p["data"].Size(), 2U);
  EXPECT_EQ(int_member(p["pagination"], "total"), total);
  EXPECT_EQ(int_member(p["pagination"], "offset"), 1);
  EXPECT_TRUE(p["pagination"]["hasMore"].GetBool() == (total > 3));
  EXPECT_EQ(to_json(p["data"][0]), to_json(all["data"][1]));
  expect_error(get("/api/labeling-configs?limit=0"), 400, "limit 0");
}

}  // namespace
}  // namespace lf::e2e
