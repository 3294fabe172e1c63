#pragma once
// Port: integer ids for new aggregates (the REST contract's ids are integers). Allocated
// before deciding, so the id is in the creation event and a replay gives the same rows.
#include <cstdint>
#include <string_view>

namespace lf::ports {

class IdAllocator {
 public:
  virtual ~IdAllocator() = default;
  virtual std::int64_t next(std::string_view stream_type) = 0;
};

}  // namespace lf::ports
