// What the server relies on in Pistache 0.0.5's promises (adapters/http/server.cpp, raw_answer):
// a worker adds continuations to the promise of Peer::send while the reactor thread may be
// resolving it. The promise Transport::asyncWrite makes is resolved under the lock that then()
// takes, so every continuation runs once, whichever thread comes first. (A promise made by
// then() is not: resolving one while another thread adds a continuation loses continuations
// or crashes, 2 runs in 3 of this loop. That is why workers no longer use
// ResponseWriter::send, whose promise is such a chained one.)
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <pistache/async.h>

namespace lf::adapters::http {
namespace {

using namespace Pistache;

TEST(PistachePromise, ContinuationsAddedWhileAnotherThreadResolvesEachRunOnce) {
  constexpr int kRounds = 5000;
  constexpr int kContinuations = 16;
  std::atomic<long> ran{0};
  for (int round = 0; round < kRounds; ++round) {
    Async::Deferred<ssize_t> deferred;
    Async::Promise<ssize_t> written([&](Async::Deferred<ssize_t> d) { deferred = std::move(d); });
    std::atomic<bool> go{false};
    std::thread reactor([&] {
      while (!go.load()) {
      }
      deferred.resolve(static_cast<ssize_t>(1));
    });
    go = true;
    for (int i = 0; i < kContinuations; ++i) {
      written.then([&](ssize_t) { ++ran; }, Async::IgnoreException);
    }
    reactor.join();
  }
  EXPECT_EQ(ran.load(), static_cast<long>(kRounds) * kContinuations);
}

}  // namespace
}  // namespace lf::adapters::http
