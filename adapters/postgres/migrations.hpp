#pragma once
#include <string>

namespace lf::adapters::pg {

// Applies the versioned migrations not yet recorded in schema_migrations, each in its own
// transaction, under an advisory lock so that parts starting together do not race.
// Returns the number applied.
int migrate(const std::string& url);

}  // namespace lf::adapters::pg
