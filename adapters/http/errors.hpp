#pragma once
// The one place that turns expected failures into HTTP statuses.
#include <string>

#include "adapters/http/http_types.hpp"
#include "domain/common/error.hpp"
#include "domain/ports/event_store.hpp"

namespace lf::adapters::http {

int status_of(domain::Errc code);
HttpResponse from_domain(const domain::Error& e);
// `unique_message` is what a unique_conflict means for this command ("Role name already exists").
HttpResponse from_append(const ports::AppendError& e, const std::string& unique_message);

}  // namespace lf::adapters::http
