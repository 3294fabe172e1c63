// The router: path parameters, 404 vs 405, and the wrapper every command route runs through.
#include "adapters/http/router.hpp"

#include <gtest/gtest.h>

namespace lf::adapters::http {
namespace {

HttpRequest request(const std::string& method, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  return r;
}

HttpResponse call(const Router& router, HttpRequest r) {
  const auto match = router.match(r);
  return match.handler == nullptr ? error(404, "none") : (*match.handler)(r);
}

TEST(Router, MatchesPathParametersAndTellsAWrongMethodFromAnUnknownPath) {
  Router router;
  router.add("GET", "/api/roles/:id", [](HttpRequest& r) { return json(200, r.params["id"]); });
  auto r = request("GET", "/api/roles/42");
  const auto match = router.match(r);
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/api/roles/:id");
  EXPECT_EQ((*match.handler)(r).body, "42");

  auto wrong_method = request("DELETE", "/api/roles/42");
  const auto refused = router.match(wrong_method);
  EXPECT_EQ(refused.handler, nullptr);
  EXPECT_EQ(refused.allowed, std::vector<std::string>{"GET"});

  auto unknown = request("GET", "/api/nothing");
  const auto none = router.match(unknown);
  EXPECT_EQ(none.handler, nullptr);
  EXPECT_TRUE(none.allowed.empty());
}

TEST(Router, MatchesPercentDecodedSegmentsAndRefusesOnesThatAreNotText) {
  Router router;
  router.add("GET", "/api/settings/:key", [](HttpRequest& r) { return json(200, r.params["key"]); });
  auto encoded = request("GET", "/api/%73ettings/s3%3Abucket");
  const auto match = router.match(encoded);
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ((*match.handler)(encoded).body, "s3:bucket");
  // An encoded slash is part of its segment, not a separator.
  auto slash = request("GET", "/api/settings/a%2Fb");
  ASSERT_NE(router.match(slash).handler, nullptr);
  EXPECT_EQ(slash.params["key"], "a/b");

  for (const std::string path :
       {"/api/settings/%zz", "/api/settings/%FF", "/api/settings/a%00b", "/api/settings/\xC3"}) {
    auto bad = request("GET", path);
    const auto refused = router.match(bad);
    EXPECT_EQ(refused.handler, nullptr) << path;
    EXPECT_TRUE(refused.malformed_path) << path;
    EXPECT_EQ(refused.route, "malformed_path");
  }
}

TEST(Router, CommandRoutesAddedAfterTheWrapperRunThroughItAndReadsDoNot) {
  Router router;
  router.add("POST", "/before", [](HttpRequest&) { return json(201, "before"); });
  int wrapped = 0;
  router.wrap_commands([&wrapped](const Handler& handler, HttpRequest& r) {
    ++wrapped;
    auto answer = handler(r);
    answer.headers.emplace_back("X-Wrapped", "yes");
    return answer;
  });
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    router.add(method, "/things/:id", [](HttpRequest& r) { return json(200, r.params["id"]); });
  }
  router.add("GET", "/things/:id", [](HttpRequest& r) { return json(200, r.params["id"]); });

  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    const auto answer = call(router, request(method, "/things/7"));
    EXPECT_EQ(answer.body, "7") << method;
    ASSERT_EQ(answer.headers.size(), 1U) << method;
    EXPECT_EQ(answer.headers[0].second, "yes");
  }
  EXPECT_EQ(wrapped, 4);
  EXPECT_TRUE(call(router, request("GET", "/things/7")).headers.empty()) << "reads are not commands";
  EXPECT_TRUE(call(router, request("POST", "/before")).headers.empty()) << "added before the wrapper";
  EXPECT_EQ(wrapped, 4);
}

}  // namespace
}  // namespace lf::adapters::http
