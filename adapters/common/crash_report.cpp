#include "adapters/common/crash_report.hpp"

#include <array>
#include <csignal>
#include <cstring>

#include <execinfo.h>
#include <unistd.h>

namespace lf::adapters {
namespace {

constexpr std::array<int, 5> kFatalSignals{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

// Room to run the handler when the crash is a stack overflow.
std::array<char, std::size_t{64} * 1024> alternate_stack;

void write_text(const char* text) {
  // Only async-signal-safe calls from here on.
  const auto ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void report(int signal) {
  char number[12] = {};
  int n = signal;
  int at = static_cast<int>(sizeof number) - 1;
  do {
    number[--at] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 && at > 0);
  write_text("{\"level\":\"fatal\",\"msg\":\"fatal signal\",\"signal\":");
  write_text(&number[at]);
  write_text(",\"name\":\"");
  write_text(sigabbrev_np(signal) != nullptr ? sigabbrev_np(signal) : "?");
  write_text("\"}\nbacktrace:\n");
  std::array<void*, 64> frames{};
  const int depth = ::backtrace(frames.data(), static_cast<int>(frames.size()));
  ::backtrace_symbols_fd(frames.data(), depth, STDERR_FILENO);
  // Die of the same signal, as the process would have without this handler (SA_RESETHAND put
  // the default action back).
  ::raise(signal);
}

}  // namespace

void install_crash_report() {
  // backtrace() loads libgcc on its first call, which allocates: done now, not in the handler.
  std::array<void*, 2> warm_up{};
  ::backtrace(warm_up.data(), static_cast<int>(warm_up.size()));
  stack_t stack{};
  stack.ss_sp = alternate_stack.data();
  stack.ss_size = alternate_stack.size();
  ::sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = report;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (const int signal : kFatalSignals) {
    ::sigaction(signal, &action, nullptr);
  }
  // A write to a connection whose peer has gone must be an error its writer handles (EPIPE), not
  // the silent death of the process: SIGPIPE's default action ends it without a word.
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace lf::adapters
