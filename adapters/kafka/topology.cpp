#include "adapters/kafka/topology.hpp"

#include "domain/api_key/api_key.hpp"
#include "domain/common/references.hpp"
#include "domain/role/role.hpp"
#include "domain/session/session.hpp"
#include "domain/setting/setting.hpp"
#include "domain/user/user.hpp"

namespace lf::adapters::kafka {

std::vector<std::string> all_stream_types() {
  // Every stream type the log holds; each gets its topic (docs/adr/0003).
  return {domain::role::kStreamType,
          domain::setting::kStreamType,
          domain::user::kStreamType,
          domain::session::kStreamType,
          domain::api_key::kStreamType,
          "auth_audit",
          "webhook_secret",
          domain::refs::kLabelingConfigType,
          domain::refs::kGoldTaskType,
          domain::refs::kAnnotatorType,
          domain::refs::kWorkflowType};
}

std::string topic_for(std::string_view stream_type) { return "labelfleet." + std::string(stream_type) + ".v1"; }

std::vector<std::string> all_topics() {
  std::vector<std::string> out;
  for (const auto& t : all_stream_types()) {
    out.push_back(topic_for(t));
  }
  return out;
}

std::int32_t murmur2(std::string_view data) {
  // Kafka's org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c.
  constexpr std::uint32_t kSeed = 0x9747b28cU;
  constexpr std::uint32_t kM = 0x5bd1e995U;
  constexpr int kR = 24;
  const auto length = static_cast<std::uint32_t>(data.size());
  std::uint32_t h = kSeed ^ length;
  const std::uint32_t length4 = length / 4;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  for (std::uint32_t i = 0; i < length4; ++i) {
    const std::uint32_t i4 = i * 4;
    std::uint32_t k = static_cast<std::uint32_t>(bytes[i4 + 0]) | (static_cast<std::uint32_t>(bytes[i4 + 1]) << 8U) |
                      (static_cast<std::uint32_t>(bytes[i4 + 2]) << 16U) |
                      (static_cast<std::uint32_t>(bytes[i4 + 3]) << 24U);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const std::uint32_t tail = length4 * 4;
  switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(bytes[tail + 2]) << 16U; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(bytes[tail + 1]) << 8U; [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint32_t>(bytes[tail]);
      h *= kM;
      break;
    default: break;
  }
  h ^= h >> 13U;
  h *= kM;
  h ^= h >> 15U;
  return static_cast<std::int32_t>(h);
}

int partition_for(std::string_view key, int partitions) {
  return static_cast<int>((static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffU) %
                          static_cast<std::uint32_t>(partitions));
}

}  // namespace lf::adapters::kafka
