#pragma once
// Making sure every topic of the topology (topology.hpp) exists with kPartitions partitions
// before anything is produced: partition_for() assumes that count, and a topic auto-created
// by a broker would get whatever the broker's default is.
#include <chrono>
#include <expected>
#include <stop_token>
#include <string>

#include "adapters/kafka/embedded_cluster.hpp"

namespace lf::adapters::kafka {

// Embedded mode: creates all_topics() on the in-process mock cluster through its own API
// (the mock broker does not answer CreateTopics). Topics that exist already are fine.
std::expected<void, std::string> ensure_topics(EmbeddedCluster& cluster);

// A real cluster: CreateTopics for all_topics() through the Admin API (TOPIC_ALREADY_EXISTS is
// success), then a metadata check that each topic has exactly kPartitions partitions, so a
// topic created by hand with another count is reported instead of silently misrouting
// streams. Gives up after `timeout`, or as soon as `stop` is requested.
// replication_factor -1 means the broker's default (brokers >= 2.4).
std::expected<void, std::string> ensure_topics(const std::string& brokers,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                               const std::stop_token& stop = {}, int replication_factor = -1);

}  // namespace lf::adapters::kafka
