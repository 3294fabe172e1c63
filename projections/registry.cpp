#include "projections/projection.hpp"

namespace lf::projections {
std::vector<std::shared_ptr<const Projection>> all() { return {}; }
}  // namespace lf::projections
