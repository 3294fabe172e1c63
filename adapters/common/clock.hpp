#pragma once
#include <string>

namespace lf::adapters {

// Now, as RFC 3339 UTC with milliseconds: 2026-04-01T00:00:00.000Z (the API's time format).
std::string now_rfc3339();
// A random (version 4) UUID in canonical text form.
std::string new_uuid();

}  // namespace lf::adapters
