// The payload of a projector's checkpoint news: what it encodes decodes to the same
// checkpoints; anything else asks the listener to read the table.
#include "adapters/projection/checkpoint_news.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace lf::adapters::projection {
namespace {

TEST(CheckpointNews, WhatIsEncodedDecodesToTheSameCheckpoints) {
  const std::vector<Checkpoint> moved{{"roles", 0, 12}, {"roles", 3, 9000000000LL}, {"audit_events", 2, 1}};
  const auto payload = encode_checkpoints(moved);
  EXPECT_EQ(payload, "roles:0:12;roles:3:9000000000;audit_events:2:1");
  EXPECT_EQ(decode_checkpoints(payload), moved);
}

TEST(CheckpointNews, APayloadTooLongForNotifyIsEmptyAndEmptyMeansReadTheTable) {
  std::vector<Checkpoint> moved;
  moved.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    moved.push_back({"projection_" + std::to_string(i), i % 4, i});
  }
  EXPECT_EQ(encode_checkpoints(moved), "");
  EXPECT_EQ(decode_checkpoints(""), std::nullopt);
}

TEST(CheckpointNews, AMalformedPayloadIsNotUsed) {
  for (const std::string payload :
       {"roles", "roles:1", ":1:2", "roles:x:2", "roles:1:2x", "roles:1:", "roles:1:2;bad"}) {
    EXPECT_EQ(decode_checkpoints(payload), std::nullopt) << payload;
  }
}

}  // namespace
}  // namespace lf::adapters::projection
