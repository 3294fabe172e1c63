#include "tests/support/labelfleet_process.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/http_client.hpp"

namespace lf::testing {

std::string LabelfleetProcess::binary() {
  const char* b = std::getenv("LABELFLEET_BINARY");
  return b != nullptr ? b : "build/labelfleet";
}

std::uint16_t LabelfleetProcess::free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  // Port 0: the kernel picks a free one, which getsockname reports.
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!bound) {
    throw std::runtime_error("cannot pick a free port");
  }
  return ntohs(addr.sin_port);
}

LabelfleetProcess::LabelfleetProcess(std::vector<std::string> args, const std::string& database_url,
                                     std::map<std::string, std::string> extra_env) {
  port_ = free_port();
  char tmpl[] = "/tmp/labelfleet-e2e-XXXXXX";
  run_dir_ = ::mkdtemp(tmpl);
  extra_env.emplace("DATABASE_URL", database_url);
  extra_env.emplace("LABELFLEET_HTTP_PORT", std::to_string(port_));
  extra_env.emplace("LABELFLEET_RUN_DIR", run_dir_);
  extra_env.emplace("LABELFLEET_ADMIN_EMAIL", kAdminEmail);
  extra_env.emplace("LABELFLEET_ADMIN_PASSWORD", kAdminPassword);
  const auto bin = binary();
  const auto log = log_path();
  pid_ = ::fork();
  if (pid_ < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, STDERR_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    for (const auto& [k, v] : extra_env) {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
}

LabelfleetProcess::~LabelfleetProcess() {
  if (running()) {
    kill9();
  }
  std::error_code ec;
  std::filesystem::remove_all(run_dir_, ec);
}

bool LabelfleetProcess::running() {
  if (pid_ <= 0) {
    return false;
  }
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    ended(status);
    return false;
  }
  return true;
}

bool LabelfleetProcess::wait_healthy(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      return false;
    }
    if (http(port_, "GET", "/api/health").status == 200) {
      const auto token = login(kAdminEmail, kAdminPassword);
      if (token.empty()) {
        return false;
      }
      set_default_authorization(port_, "Bearer " + token);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string LabelfleetProcess::login(const std::string& email, const std::string& password) const {
  const auto r = http(port_, "POST", "/api/auth/login",
                      R"({"email":")" + email + R"(","password":")" + password + R"("})", {{"Authorization", ""}});
  const auto at = r.body.find(R"("access_token":")");
  if (r.status != 200 || at == std::string::npos) {
    return "";
  }
  const auto start = at + 16;
  return r.body.substr(start, r.body.find('"', start) - start);
}

int LabelfleetProcess::stop() {
  if (pid_ <= 0) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  ended(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void LabelfleetProcess::ended(int status) {
  pid_ = -1;
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    ending_ = "[labelfleet killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
              (name != nullptr ? name : "?") + ")]\n";
  } else if (WIFEXITED(status)) {
    ending_ = "[labelfleet exited with status " + std::to_string(WEXITSTATUS(status)) + "]\n";
  }
}

void LabelfleetProcess::kill9() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ended(status);
  }
}

std::string LabelfleetProcess::log() const {
  std::ifstream in(log_path());
  std::stringstream ss;
  ss << in.rdbuf();
  ss.clear();  // an empty log sets failbit
  ss << ending_;
  return ss.str();
}

std::string LabelfleetProcess::kafka_bootstrap() const {
  std::ifstream in(run_dir_ + "/kafka.bootstrap");
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace lf::testing
