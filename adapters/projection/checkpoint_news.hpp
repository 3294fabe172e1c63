#pragma once
// How a projector tells `api` processes that read models moved: a NOTIFY on kCheckpointChannel
// sent in the transaction that moves the checkpoints, so it arrives exactly when they are
// committed. The payload names the new checkpoints ("projection:partition:position" joined by
// ";"), so a listener needs no query; an empty payload means "read the table".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lf::adapters::projection {

inline constexpr const char* kCheckpointChannel = "labelfleet_checkpoints";
// PostgreSQL refuses payloads of 8000 bytes and more.
inline constexpr std::size_t kMaxCheckpointPayload = 7900;

struct Checkpoint {
  std::string projection;
  int partition = 0;
  std::int64_t position = 0;
  bool operator==(const Checkpoint&) const = default;
};

// The payload for `moved`; empty when it would be too long.
std::string encode_checkpoints(const std::vector<Checkpoint>& moved);
// nullopt for an empty or malformed payload: the listener reads the table instead.
std::optional<std::vector<Checkpoint>> decode_checkpoints(std::string_view payload);

}  // namespace lf::adapters::projection
