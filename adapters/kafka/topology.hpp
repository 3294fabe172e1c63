#pragma once
// Topic layout (docs/adr/0003-topics-and-envelope.md): one topic per stream type,
// "labelfleet.<stream type>.v1", a fixed number of partitions, key = stream id, partition =
// Kafka's default murmur2 partitioner of the key, computed here so every part (relay, the
// write path waiting for read-your-writes) agrees without asking the broker.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ports/event_store.hpp"

namespace lf::adapters::kafka {

inline constexpr int kPartitions = 4;
// The largest message the relay produces and the topics it creates take (producer
// message.max.bytes, topic max.message.bytes): the largest event the log takes plus room for
// its envelope (headers, metadata). librdkafka's default, 1 000 000, let a ~1 MB setting stop
// the relay for good.
inline constexpr std::size_t kMaxMessageBytes = ports::kMaxEventDataBytes + std::size_t{1024} * 1024;

std::string topic_for(std::string_view stream_type);
// Every topic the product writes (one per stream type known to the build).
std::vector<std::string> all_topics();
std::vector<std::string> all_stream_types();
// murmur2(key) & 0x7fffffff % partitions: the Java client's default, so other producers and
// tools agree with us on where a key lives.
int partition_for(std::string_view key, int partitions = kPartitions);
std::int32_t murmur2(std::string_view data);

}  // namespace lf::adapters::kafka
