// Thread names as the kernel keeps them: what top -H and perf show for the process's threads.
#include "adapters/common/thread_name.hpp"

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace lf {
namespace {

std::string name_in_new_thread(const std::string& name) {
  std::string seen;
  std::thread([&] {
    adapters::name_this_thread(name);
    seen = adapters::this_thread_name();
  }).join();
  return seen;
}

TEST(ThreadName, ANamedThreadReadsItsNameBack) { EXPECT_EQ(name_in_new_thread("lf-relay"), "lf-relay"); }

TEST(ThreadName, ALongNameKeepsItsFirstFifteenBytes) {
  // pthread_setname_np refuses longer names outright (ERANGE); truncating keeps them readable.
  EXPECT_EQ(name_in_new_thread("lf-store-writer-and-more"), "lf-store-writer");
}

TEST(ThreadName, NamingOneThreadLeavesTheCallerAlone) {
  const auto before = adapters::this_thread_name();
  name_in_new_thread("lf-other");
  EXPECT_EQ(adapters::this_thread_name(), before);
}

}  // namespace
}  // namespace lf
