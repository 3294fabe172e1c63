// compose.yaml against the build: it validates, and its kafka-init creates every topic the relay
// writes, configured for the largest message the relay produces.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "adapters/kafka/topology.hpp"

#ifndef LABELFLEET_SOURCE_DIR
#error "LABELFLEET_SOURCE_DIR must be defined (tests/e2e/CMakeLists.txt)"
#endif

namespace lf::e2e {
namespace {

const std::string kCompose = std::string(LABELFLEET_SOURCE_DIR) + "/compose.yaml";

std::string compose_text() {
  std::ifstream in(kCompose);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The README's check; docker-compose validates without a Docker engine.
TEST(ComposeFile, ValidatesWithDockerCompose) {
  if (std::system("command -v docker-compose > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "docker-compose is not installed (scripts/install-deps.sh installs it)";
  }
  EXPECT_EQ(std::system(("docker-compose -f '" + kCompose + "' config -q").c_str()), 0);
}

// A topic kafka-init left out would be created by the relay instead; one created without the
// message size would refuse an event of over 1 MiB and stop the relay behind it.
TEST(ComposeFile, KafkaInitCreatesEveryTopicForTheLargestMessage) {
  const auto text = compose_text();
  ASSERT_FALSE(text.empty()) << kCompose;
  const auto init = text.find("kafka-init:");
  ASSERT_NE(init, std::string::npos);
  const auto command = text.substr(init, text.find("\n  postgres:", init) - init);
  for (const auto& type : adapters::kafka::all_stream_types()) {
    const bool listed =
        command.find(" " + type + " ") != std::string::npos || command.find(" " + type + ";") != std::string::npos;
    EXPECT_TRUE(listed) << "kafka-init does not create the topic of " << type;
  }
  EXPECT_NE(command.find("--topic \"labelfleet.$$type.v1\""), std::string::npos);
  EXPECT_NE(command.find("max.message.bytes=" + std::to_string(adapters::kafka::kMaxMessageBytes)), std::string::npos);
}

}  // namespace
}  // namespace lf::e2e
