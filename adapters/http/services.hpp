#pragma once
// What the route handlers are given: the ports and the read side.
#include <memory>
#include <vector>

#include "adapters/app/command_executor.hpp"
#include "adapters/http/http_types.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/postgres/connection_pool.hpp"
#include "domain/ports/event_store.hpp"
#include "domain/ports/id_allocator.hpp"
#include "projections/projection.hpp"

namespace lf::adapters::auth {
class AuthService;
}

namespace lf::adapters::http {

class Router;

struct Services {
  ports::EventStore& store;
  ports::IdAllocator& ids;
  pg::ConnectionPool& reads;  // read models only
  app::CommandExecutor& commands;
  metrics::Metrics& metrics;
  std::vector<std::shared_ptr<const projections::Projection>> projections;
  Access metrics_access = Access::open;  // LABELFLEET_METRICS_PUBLIC=false makes /metrics a read
  auth::AuthService* auth = nullptr;
  std::string annotator_domain = "fleet.localhost";  // LABELFLEET_ANNOTATOR_DOMAIN: <subdomain>.<domain>
};

// What /api/health, /api/version and /metrics need: in the api process, and alone in a relay or
// projector process that serves them (LABELFLEET_METRICS_PORT).
struct SystemServices {
  pg::ConnectionPool& reads;
  metrics::Metrics& metrics;
  std::vector<std::shared_ptr<const projections::Projection>> projections;
  Access metrics_access = Access::open;
};

void add_role_routes(Router& router, Services& services);
void add_setting_routes(Router& router, Services& services);
void add_system_routes(Router& router, Services& services);
void add_system_routes(Router& router, const SystemServices& services);
void add_auth_routes(Router& router, Services& services);
void add_user_routes(Router& router, Services& services);
void add_api_key_routes(Router& router, Services& services);
void add_annotator_routes(Router& router, Services& services);
void add_labeling_config_routes(Router& router, Services& services);
void add_gold_task_routes(Router& router, Services& services);
void add_workflow_routes(Router& router, Services& services);
// The first admin, when the log holds no user yet; false when there was nothing to do.
bool bootstrap_admin(Services& services, const std::string& email, const std::string& password);

}  // namespace lf::adapters::http
