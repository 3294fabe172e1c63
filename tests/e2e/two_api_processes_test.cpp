// Two api processes on one log (ADR 0013): `labelfleet serve` decides commands on streams it
// keeps in memory, and a second `labelfleet api` changes the same roles behind its back. No
// answer of the first may rest on what it remembered: a stale update is decided again, not
// refused, and "nothing to change" is checked against the log before it is believed.
#include "tests/e2e/e2e_support.hpp"

namespace lf::e2e {
namespace {

class TwoApiProcesses : public ServedSuite<TwoApiProcesses> {
 public:
  // The second process: api only, on the same database (KAFKA_BROKERS is required outside
  // `serve`; an api process does not use it). Its writes reach the read models through the
  // first process's relay and projector.
  static void after_start() {
    other = new LabelfleetProcess({"api"}, url(), serve_env({{"KAFKA_BROKERS", shared_server->kafka_bootstrap()}}));
    if (!other->wait_healthy(60s)) {
      setup_error = "labelfleet api did not become healthy; log:\n" + other->log();
    }
  }
  static void TearDownTestSuite() {
    delete other;
    other = nullptr;
    ServedSuite<TwoApiProcesses>::TearDownTestSuite();
  }

 protected:
  static inline LabelfleetProcess* other = nullptr;

  // A role created through the first process (which now holds its stream); its path.
  static std::string create_role(const std::string& description) {
    const auto r = post("/api/roles", R"({"name":)" + json_quote("two-" + unique_suffix()) + R"(,"description":)" +
                                          json_quote(description) + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return "/api/roles/" + std::to_string(int_member(parse_json(r.body), "id").value_or(0));
  }
  static HttpResult put_on_other(const std::string& path, const std::string& body) {
    return call(other->port(), "PUT", path, body);
  }
  static double reruns(const std::string& reason) {
    return sample(get("/metrics").body, "labelfleet_stream_cache_reruns_total", {"reason=\"" + reason + "\""})
        .value_or(0);
  }
};

TEST_F(TwoApiProcesses, AnUpdateOfARoleTheOtherProcessChangedIsDecidedAgainNotRefused) {
  const auto path = create_role("one");
  ASSERT_EQ(put_on_other(path, R"({"color":"#112233"})").status, 200);
  const auto before = reruns("conflict");

  const auto r = put(path, R"({"description":"three"})");
  ASSERT_EQ(r.status, 200) << "a stale memory of the role must not turn into a 409: " << r.body;
  const auto d = parse_json(r.body);
  EXPECT_EQ(string_member(d, "description"), "three");
  EXPECT_EQ(string_member(d, "color"), "#112233") << "the other process's change was lost: " << r.body;
  EXPECT_EQ(string_member(parse_json(get(path).body), "color"), "#112233");
  EXPECT_EQ(reruns("conflict"), before + 1);
}

TEST_F(TwoApiProcesses, NothingToChangeOnAStaleMemoryIsCheckedAgainstTheLog) {
  const auto path = create_role("one");
  const auto stream = "role-" + path.substr(path.rfind('/') + 1);
  ASSERT_EQ(put_on_other(path, R"({"description":"two"})").status, 200);
  const auto before = reruns("confirm");

  // The first process remembers "one": without the check it would answer 200 and change nothing.
  const auto r = put(path, R"({"description":"one"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(string_member(parse_json(r.body), "description"), "one");
  EXPECT_EQ(string_member(parse_json(get(path).body), "description"), "one");
  EXPECT_EQ(stream_event_count(url(), stream), 3) << "created, set to two, set back to one";
  EXPECT_EQ(reruns("confirm"), before + 1);
}

TEST_F(TwoApiProcesses, NothingToChangeOnACurrentMemoryStaysNothing) {
  const auto path = create_role("one");
  const auto stream = "role-" + path.substr(path.rfind('/') + 1);
  const auto before = reruns("confirm");
  const auto r = put(path, R"({"description":"one"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(stream_event_count(url(), stream), 1);
  EXPECT_EQ(reruns("confirm"), before);
}

TEST_F(TwoApiProcesses, ADeleteByTheOtherProcessIsSeenByTheNextUpdate) {
  const auto path = create_role("one");
  ASSERT_EQ(call(other->port(), "DELETE", path).status, 200);
  const auto r = put(path, R"({"description":"after"})");
  expect_error(r, 404, "update of a role deleted elsewhere");
}

TEST_F(TwoApiProcesses, CommandsDecidedFromMemoryAreCounted) {
  const auto path = create_role("one");
  const auto hits = [] {
    return sample(get("/metrics").body, "labelfleet_stream_cache_reads_total", {R"(result="hit")"}).value_or(0);
  };
  const auto before = hits();
  ASSERT_EQ(put(path, R"({"description":"two"})").status, 200);
  ASSERT_EQ(put(path, R"({"description":"three"})").status, 200);
  EXPECT_EQ(hits(), before + 2) << "the role created here was folded from the store, not from memory";
}

}  // namespace
}  // namespace lf::e2e
