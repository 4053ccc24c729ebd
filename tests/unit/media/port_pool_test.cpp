// PortPool: even RTP ports from --rtp-ports, reused as late as possible.
#include "media/port_pool.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
const core::Time kT0{std::chrono::seconds{1'700'000'000}};

TEST(PortPool, HandsOutEveryEvenPortWithItsRtcpPortInRange) {
  PortPool pool(20001, 20010);  // odd low: starts at 20002; 20010 has no 20011
  EXPECT_EQ(pool.capacity(), 4u);
  std::set<uint16_t> got;
  while (auto p = pool.acquire(kT0)) got.insert(*p);
  EXPECT_EQ(got, (std::set<uint16_t>{20002, 20004, 20006, 20008}));
  EXPECT_EQ(pool.inUse(), 4u);
  EXPECT_FALSE(pool.acquire(kT0));  // exhausted
}

TEST(PortPool, AFreedPortIsReusedLast) {
  PortPool pool(30000, 30007);  // 30000, 30002, 30004, 30006
  const uint16_t first = *pool.acquire(kT0);
  EXPECT_EQ(first, 30000);
  pool.release(first);
  EXPECT_EQ(*pool.acquire(kT0), 30002);
  EXPECT_EQ(*pool.acquire(kT0), 30004);
  EXPECT_EQ(*pool.acquire(kT0), 30006);
  EXPECT_EQ(*pool.acquire(kT0), 30000);  // only now
  EXPECT_EQ(pool.available(), 0u);
}

TEST(PortPool, ReleasingTwiceOrAForeignPortChangesNothing) {
  PortPool pool(40000, 40003);
  const uint16_t p = *pool.acquire(kT0);
  pool.release(p);
  pool.release(p);
  pool.release(40001);
  pool.release(50000);
  EXPECT_EQ(pool.inUse(), 0u);
  EXPECT_EQ(pool.available(), 2u);
}

TEST(PortPool, APortThatCannotBeBoundWaitsBeforeItIsTriedAgain) {
  PortPool pool(40000, 40001);  // one port
  const uint16_t p = *pool.acquire(kT0);
  pool.setAside(p, kT0, 60s);
  EXPECT_EQ(pool.inUse(), 0u);
  EXPECT_FALSE(pool.acquire(kT0 + 59s));
  EXPECT_EQ(pool.acquire(kT0 + 60s), std::optional<uint16_t>(p));
}

TEST(PortPool, GaugeReturnsToZero) {
  PortPool pool(20000, 29999);
  EXPECT_EQ(pool.capacity(), 5000u);
  std::vector<uint16_t> ports;
  for (int i = 0; i < 1000; ++i) ports.push_back(*pool.acquire(kT0));
  EXPECT_EQ(pool.inUse(), 1000u);
  for (uint16_t p : ports) pool.release(p);
  EXPECT_EQ(pool.inUse(), 0u);
  EXPECT_EQ(pool.available(), 5000u);
}

}  // namespace
}  // namespace sb::media
