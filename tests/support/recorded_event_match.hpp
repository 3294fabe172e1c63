#pragma once
// Field-by-field equality of two recorded events, as gtest expectations (a failure names the
// field that differs).
#include <gtest/gtest.h>

#include "domain/common/event.hpp"

namespace lf::testing {

inline void expect_same_event(const domain::RecordedEvent& a, const domain::RecordedEvent& b) {
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.stream_type, b.stream_type);
  EXPECT_EQ(a.stream_version, b.stream_version);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.schema_version, b.schema_version);
  EXPECT_EQ(a.data_json, b.data_json);
  EXPECT_EQ(a.metadata.command_id, b.metadata.command_id);
  EXPECT_EQ(a.metadata.causation_id, b.metadata.causation_id);
  EXPECT_EQ(a.metadata.correlation_id, b.metadata.correlation_id);
  EXPECT_EQ(a.metadata.actor, b.metadata.actor);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
}

}  // namespace lf::testing
