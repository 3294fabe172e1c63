#pragma once
// A process that dies of a signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) says so on stderr,
// with a backtrace, before it dies as it would have: without this a crash left nothing in the
// log, not even which signal it was. SIGPIPE is ignored: a write to a closed connection fails
// with EPIPE for its writer instead of ending the process.
namespace lf::adapters {

void install_crash_report();

}  // namespace lf::adapters
