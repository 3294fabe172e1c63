// labelfleet: one executable, one subcommand per part (see `labelfleet --help`).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/app/caching_event_store.hpp"
#include "adapters/app/command_executor.hpp"
#include "adapters/auth/auth_service.hpp"
#include "adapters/auth/crypto.hpp"
#include "adapters/auth/gate.hpp"
#include "adapters/auth/webhook_secrets.hpp"
#include "adapters/common/clock.hpp"
#include "adapters/common/crash_report.hpp"
#include "adapters/common/log.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server.hpp"
#include "adapters/http/services.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/projector.hpp"
#include "adapters/kafka/relay.hpp"
#include "adapters/kafka/topics.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/postgres/event_store.hpp"
#include "adapters/postgres/id_allocator.hpp"
#include "adapters/postgres/migrations.hpp"
#include "adapters/projection/checkpoint_poller.hpp"
#include "adapters/projection/progress_board.hpp"
#include "adapters/projection/replay.hpp"
#include "cmd/labelfleet/config.hpp"
#include "projections/projection.hpp"

namespace {

using namespace lf;
namespace log = lf::adapters::log;

constexpr const char* kUsage = R"(labelfleet — control plane for annotation fleets (event-sourced)

Usage: labelfleet <command> [options]

Commands:
  serve       every part in one process: HTTP API, relay, projectors, and (when
              KAFKA_BROKERS is unset) an embedded Kafka-protocol cluster on 127.0.0.1
              [--projections a,b]: only these projections here (others run elsewhere)
  api         the HTTP API alone (reads read models, appends events)
  relay       publishes committed events from PostgreSQL to Kafka, in log order
  projector   builds the read models from the Kafka topics
              [--projections a,b]: only these, in a consumer group of their own
  migrate     applies the database migrations and exits
  replay      drops and rebuilds projections from the PostgreSQL log:
              labelfleet replay <name>|--all   (names: roles, settings, users, api_keys,
              annotators, audit_events, labeling_configs, gold_tasks, workflows)

Environment:
  DATABASE_URL                       libpq URL of PostgreSQL (required)
  KAFKA_BROKERS                      bootstrap servers; unset = embedded cluster (serve only)
  LABELFLEET_HTTP_PORT               HTTP port (default 8080)
  LABELFLEET_HTTP_HOST               address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  LABELFLEET_PRINCIPAL_CACHE_MS      reuse a caller's folded user / API key this long (default 1000;
                                     this process's own changes apply at once; 0 = off)
  LABELFLEET_STREAM_CACHE_STREAMS    streams whose events commands may decide on from memory,
                                     each answer checked against the log (default 10000; 0 = off)
  LABELFLEET_STREAM_CACHE_EVENTS     events those streams may hold in all (default 200000)
  LABELFLEET_RUN_DIR                 where the embedded broker address is written
                                     (<dir>/kafka.bootstrap; default .run)
  LABELFLEET_HTTP_THREADS            Pistache reactor threads (default 2)
  LABELFLEET_HTTP_WORKERS            request handler threads (default 256)
  LABELFLEET_HTTP_MAX_BODY           largest accepted request body in bytes (default 1048576)
  LABELFLEET_HTTP_MAX_CONNECTIONS    open connections served at once; one more gets 503
                                     (default 0 = the open-file limit, raised to its hard
                                     limit at start, less 256)
  LABELFLEET_HTTP_IDLE_TIMEOUT_MS    a connection without a request begun is closed after this
                                     (default 300000; keep it above a proxy's idle timeout)
  LABELFLEET_HTTP_REQUEST_TIMEOUT_MS a request not all received this long after its first byte
                                     is answered 408, an answer not read this long after it was
                                     queued ends its connection (default 60000)
  LABELFLEET_HTTP_DRAIN_TIMEOUT_MS   on SIGTERM/SIGINT, how long the answers in progress may take
                                     before the server stops (default 5000; idle connections are
                                     closed at once, new ones get 503)
  LABELFLEET_CONSISTENCY_TIMEOUT_MS  how long a write waits for its read model (default 5000;
                                     0 = answer at the commit, without read-your-writes)
  LABELFLEET_LOG_LEVEL               debug|info|warn|error (default info)
  LABELFLEET_JWT_SECRET              HS256 key for access tokens (>= 32 chars); unset = a random
                                     one generated into <run dir>/jwt.secret (one process only)
  LABELFLEET_ADMIN_EMAIL             the first admin, created when no user exists yet
  LABELFLEET_ADMIN_PASSWORD          its password (>= 8 characters)
  LABELFLEET_RATE_LIMIT_PER_MINUTE   requests per minute per credential (default 1200)
  LABELFLEET_LOGIN_ATTEMPTS_PER_MINUTE  per client address and per email (default 10)
  LABELFLEET_METRICS_PUBLIC          false = /metrics needs a credential (default true)
  LABELFLEET_METRICS_PORT            relay and projector processes: serve /metrics, /api/health
                                     and /api/version on this port, without credentials (unset =
                                     not served; the api process serves them on its own port)
  LABELFLEET_COOKIE_SECURE           true = the refresh cookie is Secure (behind HTTPS)
  LABELFLEET_TRUSTED_PROXIES         comma-separated peer addresses whose X-Forwarded-For is
                                     believed (the reverse proxy), for per-address login limits

Run `labelfleet <command> --help` for one command.
)";

std::string command_help(const std::string& cmd) {
  if (cmd == "serve") {
    return "labelfleet serve [--projections a,b]\n"
           "  Runs api, relay and projectors in one process. Without KAFKA_BROKERS it starts an\n"
           "  embedded Kafka-protocol cluster, logs its address and writes it to $LABELFLEET_RUN_DIR/kafka.bootstrap;\n"
           "  the relay then republishes the whole log into it (consumers skip what they have applied),\n"
           "  and the projector, its only one, reads every partition without joining a consumer group.\n"
           "  --projections runs only the named projections here; writes to the others wait for the\n"
           "  `labelfleet projector` processes that run them (seen through projection_checkpoints).\n"
           "  Needs DATABASE_URL. Stops cleanly on SIGINT/SIGTERM.\n";
  }
  if (cmd == "api") {
    return "labelfleet api\n  Serves the REST API on LABELFLEET_HTTP_PORT. Writes wait until the projector (another\n"
           "  process) has applied them, seen through the projection_checkpoints table. Needs DATABASE_URL.\n";
  }
  if (cmd == "relay") {
    return "labelfleet relay\n  Publishes every committed event to Kafka in log order, crash-safe (resumes from its\n"
           "  checkpoint). Needs DATABASE_URL and KAFKA_BROKERS.\n";
  }
  if (cmd == "projector") {
    return "labelfleet projector [--projections a,b]\n"
           "  Consumes the event topics and applies them to the read models exactly once,\n"
           "  all projections on one consumer (group labelfleet-projections). --projections runs only the\n"
           "  named ones, in a group of their own (labelfleet-projection-<name> for one,\n"
           "  labelfleet-projections-<a>+<b> for several), so a failing projection can be kept apart\n"
           "  from the others (docs/adr/0012). Needs DATABASE_URL and KAFKA_BROKERS.\n";
  }
  if (cmd == "migrate") {
    return "labelfleet migrate\n  Applies pending migrations (every other command also does this at start). Needs "
           "DATABASE_URL.\n";
  }
  if (cmd == "replay") {
    return "labelfleet replay <projection>|--all\n  Drops the named read model(s) and rebuilds them from the event log "
           "in\n"
           "  PostgreSQL, in one transaction each. Safe while projectors run. Needs DATABASE_URL.\n";
  }
  return "";
}

// Blocks SIGINT/SIGTERM in every thread (call before starting any), then waits for one.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void wait_for_stop(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  log::info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
}

// The HS256 key: configured, or generated once into the run dir (0600) and reused.
std::string jwt_key(const cmd::Config& config) {
  if (!config.jwt_secret.empty()) {
    return config.jwt_secret;
  }
  const auto path = std::filesystem::path(config.run_dir) / "jwt.secret";
  std::filesystem::create_directories(config.run_dir);
  if (std::ifstream in(path); in) {
    std::string key;
    std::getline(in, key);
    if (key.size() >= 32) {
      return key;
    }
  }
  auto key = adapters::auth::random_token(48);
  {
    std::ofstream out(path, std::ios::trunc);
    out << key << "\n";
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  log::info("generated an access-token key (set LABELFLEET_JWT_SECRET to share one)", {{"file", path.string()}});
  return key;
}

std::string known_projection_names() {
  std::string known;
  for (const auto& projection : projections::all()) {
    known += (known.empty() ? "" : ", ") + projection->name();
  }
  return known;
}

// The projections a `serve` or `projector` process runs: every one, or those `--projections a,b`
// names (in the registry's order). Throws std::invalid_argument (exit status 2) on any other
// option, an unknown name or an empty list.
std::vector<std::shared_ptr<const projections::Projection>> selected_projections(
    const std::vector<std::string>& options) {
  auto all = projections::all();
  std::optional<std::string> list;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i] == "--projections" && i + 1 < options.size() && !list) {
      list = options[++i];
    } else if (options[i].starts_with("--projections=") && !list) {
      list = options[i].substr(std::string_view("--projections=").size());
    } else {
      throw std::invalid_argument("unexpected argument: " + options[i]);
    }
  }
  if (!list) {
    return all;
  }
  std::set<std::string> wanted;
  std::stringstream names(*list);
  for (std::string name; std::getline(names, name, ',');) {
    const bool known = std::any_of(all.begin(), all.end(), [&](const auto& p) { return p->name() == name; });
    if (!known) {
      throw std::invalid_argument("unknown projection: \"" + name + "\" (known: " + known_projection_names() + ")");
    }
    wanted.insert(name);
  }
  if (wanted.empty()) {
    throw std::invalid_argument("--projections needs at least one name (known: " + known_projection_names() + ")");
  }
  std::erase_if(all, [&](const auto& p) { return !wanted.contains(p->name()); });
  return all;
}

int run_replay(const cmd::Config& config, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << command_help("replay");
    return 2;
  }
  const bool all = args[0] == "--all";
  bool found = false;
  for (const auto& projection : projections::all()) {
    if (!all && projection->name() != args[0]) {
      continue;
    }
    found = true;
    auto conn = adapters::pg::connect(config.database_url);
    const auto r = adapters::projection::rebuild(*conn, *projection);
    log::info("projection rebuilt", {{"projection", projection->name()},
                                     log::num("events", r.events_applied),
                                     log::num("up_to_position", r.up_to_position)});
  }
  if (!found) {
    std::cerr << "unknown projection: " << args[0] << " (known: " << known_projection_names() << ")\n";
    return 2;
  }
  return 0;
}

// Every projection on one consumer (ADR 0012): one fetch loop instead of one per projection.
// `embedded`: the cluster lives in this process, which is its only projector.
adapters::kafka::ProjectorConfig projector_options(
    const cmd::Config& config, const std::string& brokers, bool embedded,
    const std::shared_ptr<adapters::kafka::LocalFeed>& local_feed,
    const std::vector<std::shared_ptr<const projections::Projection>>& projected, std::size_t all_projections) {
  adapters::kafka::ProjectorConfig options;
  options.database_url = config.database_url;
  options.brokers = brokers;
  options.every_partition = embedded;
  options.local_feed = local_feed;
  if (projected.size() > 1 && projected.size() < all_projections) {
    // A group of its own: in the shared group another process running other projections
    // would be handed some of these topics' partitions, and their events would be lost here.
    options.group_id = "labelfleet-projections";
    for (std::size_t i = 0; i < projected.size(); ++i) {
      options.group_id += (i == 0 ? "-" : "+") + projected[i]->name();
    }
  }
  return options;
}

void report_totals(adapters::metrics::Metrics& m, const adapters::kafka::ProjectorRuntime& runtime) {
  m.projector_events("kafka", "applied", runtime.applied_from_kafka());
  m.projector_events("kafka", "skipped", runtime.skipped());
  m.projector_events("kafka", "rejected", runtime.rejected());
  m.projector_events("feed", "applied", runtime.applied_locally());
  m.projector_events("feed", "deferred", runtime.deferred_locally());
}

// The HTTP server's settings from the environment, listening on `port`.
adapters::http::ServerOptions server_options(const cmd::Config& config, std::uint16_t port) {
  adapters::http::ServerOptions options;
  options.port = port;
  options.address = config.http_host;
  options.reactor_threads = config.http_threads;
  options.workers = config.http_workers;
  options.max_body = config.max_body;
  options.max_connections = config.max_connections;
  options.timeouts.idle = std::chrono::milliseconds(config.http_idle_timeout_ms);
  options.timeouts.request = std::chrono::milliseconds(config.http_request_timeout_ms);
  // The client had the time to read an answer that ends its connection: no longer than it
  // may keep one idle.
  options.timeouts.linger = std::min(options.timeouts.linger, options.timeouts.idle);
  options.drain_timeout = std::chrono::milliseconds(config.http_drain_timeout_ms);
  options.trusted_proxies = config.trusted_proxies;
  return options;
}

// The parts of one process, started in dependency order and stopped in reverse.
// `projected`: the projections this process's projector runs (all, unless --projections).
int run_parts(const cmd::Config& config, bool api, bool relay, bool projector,
              const std::vector<std::shared_ptr<const projections::Projection>>& projected) {
  const auto signals = block_stop_signals();
  const bool serves_metrics_alone = !api && config.metrics_port != 0;
  if (serves_metrics_alone && !config.metrics_public) {
    throw std::invalid_argument(
        "LABELFLEET_METRICS_PORT serves /metrics without credentials: it cannot be set with "
        "LABELFLEET_METRICS_PUBLIC=false");
  }
  adapters::pg::migrate(config.database_url);

  std::unique_ptr<adapters::kafka::EmbeddedCluster> cluster;
  std::string brokers;
  if (config.brokers) {
    brokers = *config.brokers;
  } else {
    if (!(api && relay && projector)) {
      throw std::invalid_argument("KAFKA_BROKERS is required for this command (the embedded cluster lives in `serve`)");
    }
    cluster = std::make_unique<adapters::kafka::EmbeddedCluster>();
    brokers = cluster->bootstraps();
    if (auto created = adapters::kafka::ensure_topics(*cluster); !created) {
      throw std::runtime_error("cannot create topics in the embedded cluster: " + created.error());
    }
    std::filesystem::create_directories(config.run_dir);
    std::ofstream(std::filesystem::path(config.run_dir) / "kafka.bootstrap") << brokers << "\n";
    log::info("embedded kafka address written",
              {{"bootstrap", brokers}, {"file", (std::filesystem::path(config.run_dir) / "kafka.bootstrap").string()}});
  }

  adapters::metrics::Metrics metrics;
  adapters::projection::ProgressBoard board;
  const auto all = projections::all();

  // In `serve`, the relay is handed the store's commits (the commit report) and tells the
  // store's own notifications from other processes' by this origin.
  const auto store_origin = adapters::new_uuid();
  // With relay and projector in one process, the projector is handed what the relay is about
  // to publish (ADR 0012, second amendment).
  const auto local_feed = relay && projector ? std::make_shared<adapters::kafka::LocalFeed>() : nullptr;
  std::unique_ptr<adapters::kafka::Relay> relay_part;
  if (relay) {
    adapters::kafka::RelayConfig options;
    options.database_url = config.database_url;
    options.brokers = brokers;
    options.republish_from_start = cluster != nullptr;
    options.topic_setup = cluster ? adapters::kafka::TopicSetup::none : adapters::kafka::TopicSetup::admin_api;
    if (api) {
      options.reported_origin = store_origin;
    }
    if (local_feed) {
      options.on_publishing = [local_feed](std::span<const domain::RecordedEvent> events) {
        local_feed->offer(events);
      };
    }
    relay_part = std::make_unique<adapters::kafka::Relay>(options);
    relay_part->start();
  }
  std::vector<std::unique_ptr<adapters::kafka::ProjectorRuntime>> projector_parts;
  if (projector) {
    projector_parts.push_back(std::make_unique<adapters::kafka::ProjectorRuntime>(
        projected, projector_options(config, brokers, cluster != nullptr, local_feed, projected, all.size()), board));
    projector_parts.back()->start();
    // /metrics (when this process serves the API) shows the runtime's totals at each scrape.
    metrics.on_scrape(
        [runtime = projector_parts.back().get()](adapters::metrics::Metrics& m) { report_totals(m, *runtime); });
  }

  std::unique_ptr<adapters::pg::PgEventStore> store;
  std::unique_ptr<adapters::app::StreamCache> stream_cache;
  std::unique_ptr<adapters::app::CachingEventStore> commands_store;  // what the handlers use
  std::unique_ptr<adapters::pg::ConnectionPool> reads;
  std::unique_ptr<adapters::pg::PgIdAllocator> ids;
  std::unique_ptr<adapters::app::CommandExecutor> executor;
  std::unique_ptr<adapters::projection::CheckpointPoller> poller;
  std::unique_ptr<adapters::http::Services> services;
  std::unique_ptr<adapters::auth::AuthService> auth;
  std::unique_ptr<adapters::auth::EventSourcedWebhookSecrets> webhook_secrets;
  std::unique_ptr<adapters::auth::AuthGate> gate;
  adapters::http::Router router;
  std::unique_ptr<adapters::http::Server> server;
  if (api) {
    // The read models' tables exist before the first request, whichever process projects
    // into them (CREATE TABLE IF NOT EXISTS; the projector does the same).
    {
      auto conn = adapters::pg::connect(config.database_url);
      pqxx::work tx(*conn);
      for (const auto& p : all) {
        adapters::projection::lock_projection(tx, p->name());  // as the projector does
        p->create(tx);
      }
      tx.commit();
    }
    store = std::make_unique<adapters::pg::PgEventStore>(config.database_url,
                                                         adapters::pg::EventStoreOptions{.origin = store_origin});
    if (!projector || projected.size() < all.size()) {
      // Read-your-writes for projections another process runs: their checkpoints in PostgreSQL,
      // announced by the projectors at each commit (a full read each second as a safety net).
      poller =
          std::make_unique<adapters::projection::CheckpointPoller>(config.database_url, board, std::chrono::seconds(1));
    }
    stream_cache =
        std::make_unique<adapters::app::StreamCache>(config.stream_cache_streams, config.stream_cache_events);
    commands_store = std::make_unique<adapters::app::CachingEventStore>(*store, *stream_cache, &metrics);
    reads = std::make_unique<adapters::pg::ConnectionPool>(config.database_url, 16);
    ids = std::make_unique<adapters::pg::PgIdAllocator>(*reads);
    executor = std::make_unique<adapters::app::CommandExecutor>(
        *commands_store, board, metrics, std::chrono::milliseconds(config.consistency_timeout_ms));
    const auto key = jwt_key(config);
    adapters::auth::AuthOptions auth_options;
    auth_options.jwt_key = key;
    auth_options.login_attempts_per_minute = config.login_attempts_per_minute;
    auth_options.secure_cookie = config.cookie_secure;
    auth = std::make_unique<adapters::auth::AuthService>(auth_options, *commands_store);
    webhook_secrets = std::make_unique<adapters::auth::EventSourcedWebhookSecrets>(*commands_store);
    gate = std::make_unique<adapters::auth::AuthGate>(
        adapters::auth::GateOptions{key, config.rate_limit_per_minute,
                                    std::chrono::milliseconds(config.principal_cache_ms)},
        *store, *webhook_secrets);
    // Before a command of this process answers, the streams it changed are brought up to date
    // in the stream cache and dropped from the gate's cache of users and API keys, the
    // in-process projector (serve) is offered them, and the in-process relay is handed them and
    // woken.
    store->on_events_committed([g = gate.get(), c = stream_cache.get(), r = relay_part.get(),
                                f = local_feed.get()](const std::vector<lf::domain::RecordedEvent>& events) {
      c->committed(events);
      if (f != nullptr) {
        f->offer_committed(events);  // the read models need not wait for the relay's turn
      }
      if (r != nullptr) {
        r->committed(events);  // published without reading them back
      }
      std::vector<std::string> streams;
      for (const auto& e : events) {
        if (streams.empty() || streams.back() != e.stream_id) {
          streams.push_back(e.stream_id);
        }
      }
      g->forget(streams);
    });
    // Every command (any method but GET) decides on cached streams and is checked (ADR 0013).
    router.wrap_commands(
        [cs = commands_store.get()](const adapters::http::Handler& handler, adapters::http::HttpRequest& request) {
          return cs->run_command([&] { return handler(request); });
        });
    services = std::make_unique<adapters::http::Services>(adapters::http::Services{
        *commands_store, *ids, *reads, *executor, metrics, all,
        config.metrics_public ? adapters::http::Access::open : adapters::http::Access::read, auth.get()});
    adapters::http::add_system_routes(router, *services);
    adapters::http::add_auth_routes(router, *services);
    adapters::http::add_user_routes(router, *services);
    adapters::http::add_api_key_routes(router, *services);
    adapters::http::add_role_routes(router, *services);
    adapters::http::add_setting_routes(router, *services);
    services->annotator_domain = config.annotator_domain;
    adapters::http::add_annotator_routes(router, *services);
    adapters::http::add_labeling_config_routes(router, *services);
    adapters::http::add_gold_task_routes(router, *services);
    adapters::http::add_workflow_routes(router, *services);
    if (!config.admin_email.empty()) {
      if (adapters::http::bootstrap_admin(*services, config.admin_email, config.admin_password)) {
        log::info("created the first admin", {{"email", config.admin_email}});
      }
    }
    server =
        std::make_unique<adapters::http::Server>(server_options(config, config.http_port), router, gate.get(), metrics);
    server->start();
    log::info("http listening", {log::num("port", server->port())});
  }
  // A relay or projector process on its own: its /metrics (the projector's totals, the lags)
  // and health, for a scraper and an orchestrator's health check.
  std::unique_ptr<adapters::pg::ConnectionPool> system_reads;
  if (serves_metrics_alone) {
    system_reads = std::make_unique<adapters::pg::ConnectionPool>(config.database_url, 2);
    adapters::http::add_system_routes(router, adapters::http::SystemServices{*system_reads, metrics, all});
    auto options = server_options(config, config.metrics_port);
    options.workers = 2;
    server = std::make_unique<adapters::http::Server>(options, router, nullptr, metrics);
    server->start();
    log::info("metrics listening", {log::num("port", server->port())});
  }
  log::info("labelfleet ready", {{"api", api ? "on" : "off"},
                                 {"relay", relay ? "on" : "off"},
                                 {"projector", projector ? "on" : "off"},
                                 {"kafka", brokers}});

  wait_for_stop(signals);
  if (server) {
    server->stop();
  }
  if (store) {
    store->on_events_committed(nullptr);  // the caches go before the store's appender thread
  }
  for (auto& p : projector_parts) {
    p->stop();
  }
  if (relay_part) {
    relay_part->stop();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  lf::adapters::install_crash_report();
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const auto& command = args[0];
  const auto help = command_help(command);
  if (help.empty()) {
    std::cerr << "unknown command: " << command << "\n\n" << kUsage;
    return 2;
  }
  if (args.size() > 1 && (args[1] == "--help" || args[1] == "-h")) {
    std::cout << help;
    return 0;
  }
  const auto level = cmd::env_or("LABELFLEET_LOG_LEVEL", "info");
  log::set_level(level == "debug"   ? log::Level::debug
                 : level == "warn"  ? log::Level::warn
                 : level == "error" ? log::Level::error
                                    : log::Level::info);
  try {
    // Options first: a mistyped one is reported before anything starts.
    const bool projector = command == "serve" || command == "projector";
    const bool takes_arguments = command == "replay";
    const std::vector<std::string> options(args.begin() + 1, args.end());
    if (!projector && !takes_arguments && !options.empty()) {
      throw std::invalid_argument("unexpected argument: " + options.front());
    }
    const auto projected = projector ? selected_projections(options) : projections::all();
    const auto config = cmd::load_config();
    if (command == "migrate") {
      const int n = adapters::pg::migrate(config.database_url);
      log::info("migrations done", {log::num("applied", n)});
      return 0;
    }
    if (command == "replay") {
      adapters::pg::migrate(config.database_url);
      return run_replay(config, options);
    }
    return run_parts(config, command == "serve" || command == "api", command == "serve" || command == "relay",
                     projector, projected);
  } catch (const std::invalid_argument& e) {
    std::cerr << "labelfleet: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    log::error("fatal", {{"error", e.what()}});
    return 1;
  }
}
