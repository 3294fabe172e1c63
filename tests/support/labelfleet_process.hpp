#pragma once
// The built binary (LABELFLEET_BINARY) run as a child process, as a user would run it.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lf::testing {

class LabelfleetProcess {
 public:
  // Starts `labelfleet <args>` with DATABASE_URL=database_url, a free HTTP port, a private run
  // dir, and `extra_env`. Its stderr (the JSON log) goes to log_path().
  LabelfleetProcess(std::vector<std::string> args, const std::string& database_url,
                    std::map<std::string, std::string> extra_env = {});
  ~LabelfleetProcess();
  LabelfleetProcess(const LabelfleetProcess&) = delete;
  LabelfleetProcess& operator=(const LabelfleetProcess&) = delete;

  // Polls GET /api/health until 200, then logs in as the bootstrap admin and makes its access
  // token the default Authorization for this port; false on timeout or if the process died.
  bool wait_healthy(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Logs in (POST /api/auth/login); the access token, or "" when refused.
  std::string login(const std::string& email, const std::string& password) const;

  static constexpr const char* kAdminEmail = "admin@e2e.local";
  static constexpr const char* kAdminPassword = "e2e-admin-password";
  // SIGTERM and wait; returns the exit status (or -1).
  int stop();
  void kill9();
  bool running();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& run_dir() const { return run_dir_; }
  std::string log_path() const { return run_dir_ + "/labelfleet.log"; }
  // What the process wrote, and, once the harness has seen it end, how it ended
  // ("[labelfleet exited with status 1]", "[… killed by signal 11 (SEGV)]").
  std::string log() const;
  // The embedded broker address the process wrote to <run dir>/kafka.bootstrap ("" until then).
  std::string kafka_bootstrap() const;

  static std::string binary();
  static std::uint16_t free_port();

 private:
  void ended(int status);

  pid_t pid_ = -1;
  std::string ending_;
  std::uint16_t port_ = 0;
  std::string run_dir_;
};

}  // namespace lf::testing
