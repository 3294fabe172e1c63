#pragma once
// What a read model can store of an event. The log's json column keeps the character U+0000 (as
// the escape \u0000), which PostgreSQL's jsonb and text refuse: handed such an event, a projection
// fails its batch on every retry, and every projection of that runtime stops behind it for good.
// Request bodies carrying U+0000 are refused since; events logged before (or by other writers)
// reach the read models with U+FFFD in its place, the same on every rebuild. The log keeps the
// original.
#include "domain/common/event.hpp"
#include "projections/projection.hpp"

namespace lf::adapters::projection {

// Applies `event` to `projection`, with U+0000 in its payload replaced by U+FFFD when it holds
// any (a copy is made only then).
void apply_storable(const projections::Projection& projection, projections::SqlBatch& sql,
                    const domain::RecordedEvent& event);

}  // namespace lf::adapters::projection
