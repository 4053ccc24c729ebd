#include "media/rtp_output.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace sb::media {
namespace {

using std::chrono::milliseconds;

constexpr std::uint32_t kSsrc = 0x5EED1234;
constexpr std::uint16_t kFirstSequence = 65530;  // wraps within the tests on purpose
constexpr std::uint32_t kFirstTimestamp = 0xFFFFFE00;

core::Time start() {
  return core::Time{std::chrono::seconds{1'700'000'000}};
}

TEST(RtpOutputTest, OwnFramesAreContinuousAndOnlyTheFirstHasTheMarker) {
  RtpOutput out(kSsrc, kFirstSequence, kFirstTimestamp);
  EXPECT_EQ(out.ssrc(), kSsrc);
  core::Time now = start();
  for (std::uint32_t i = 0; i < 10; ++i) {
    const RtpOutHeader h = out.own(160, now);
    EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(kFirstSequence + i)) << i;
    EXPECT_EQ(h.timestamp, kFirstTimestamp + 160 * i) << i;
    EXPECT_EQ(h.marker, i == 0) << i;
    now += milliseconds(20);
  }
}

TEST(RtpOutputTest, OwnFrameMayStartATalkspurt) {
  RtpOutput out(kSsrc, 10, 1000);
  core::Time now = start();
  (void)out.own(160, now);
  now += milliseconds(20);
  EXPECT_FALSE(out.own(160, now).marker);
  now += milliseconds(20);
  EXPECT_TRUE(out.own(160, now, /*new_talkspurt=*/true).marker);
}

TEST(RtpOutputTest, RelayKeepsTheSourcesSpacing) {
  RtpOutput out(kSsrc, 100, 1000);
  core::Time now = start();
  const std::uint64_t source = 7;
  RtpOutHeader h = out.relay(source, 500, 90000, 160, false, now);
  EXPECT_EQ(h.sequence, 100);
  EXPECT_EQ(h.timestamp, 1000u);
  EXPECT_TRUE(h.marker);  // the first packet of a source
  now += milliseconds(20);
  h = out.relay(source, 501, 90160, 160, false, now);
  EXPECT_EQ(h.sequence, 101);
  EXPECT_EQ(h.timestamp, 1160u);
  EXPECT_FALSE(h.marker);
  // 502 was lost: the gap of 2 stays a gap of 2, in sequence and in time.
  now += milliseconds(40);
  h = out.relay(source, 503, 90480, 160, false, now);
  EXPECT_EQ(h.sequence, 103);
  EXPECT_EQ(h.timestamp, 1480u);
  EXPECT_FALSE(h.marker);
  // The late 502 keeps its place (reordering stays reordering).
  h = out.relay(source, 502, 90320, 160, false, now);
  EXPECT_EQ(h.sequence, 102);
  EXPECT_EQ(h.timestamp, 1320u);
  // ... and does not pull the numbering back.
  now += milliseconds(20);
  h = out.relay(source, 504, 90640, 160, false, now);
  EXPECT_EQ(h.sequence, 104);
  EXPECT_EQ(h.timestamp, 1640u);
  // The source's own marker passes through.
  now += milliseconds(20);
  h = out.relay(source, 505, 90800, 160, true, now);
  EXPECT_EQ(h.sequence, 105);
  EXPECT_TRUE(h.marker);
}

TEST(RtpOutputTest, ASwitchOfSourceContinuesRightAfterTheLastPacketWithTheMarker) {
  RtpOutput out(kSsrc, kFirstSequence, kFirstTimestamp);
  core::Time now = start();
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  for (std::uint16_t i = 0; i < 3; ++i) {
    const RtpOutHeader h = out.relay(1, static_cast<std::uint16_t>(200 + i), 4000 + 160u * i, 160, false, now);
    sequence = h.sequence;
    timestamp = h.timestamp;
    now += milliseconds(20);
  }
  // Source 2 has numbering of its own, far from source 1's.
  RtpOutHeader h = out.relay(2, 31000, 123456789, 160, false, now);
  EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(sequence + 1));
  EXPECT_EQ(h.timestamp, timestamp + 160);
  EXPECT_TRUE(h.marker);
  now += milliseconds(20);
  h = out.relay(2, 31001, 123456789 + 160, 160, false, now);
  EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(sequence + 2));
  EXPECT_EQ(h.timestamp, timestamp + 320);
  EXPECT_FALSE(h.marker);

  // Relay → own (a prompt starts) → relay of the same source again.
  now += milliseconds(20);
  h = out.own(160, now);
  EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(sequence + 3));
  EXPECT_EQ(h.timestamp, timestamp + 480);
  EXPECT_TRUE(h.marker);
  now += milliseconds(20);
  h = out.relay(2, 31010, 123456789 + 1600, 160, false, now);
  EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(sequence + 4));
  EXPECT_EQ(h.timestamp, timestamp + 640);
  EXPECT_TRUE(h.marker);
}

TEST(RtpOutputTest, RestartMakesTheSameSourceANewOne) {
  RtpOutput out(kSsrc, 1, 1);
  core::Time now = start();
  (void)out.relay(9, 10, 10000, 160, false, now);
  now += milliseconds(20);
  (void)out.relay(9, 11, 10160, 160, false, now);
  out.restart();
  now += milliseconds(20);
  // The phone restarted its numbering (re-INVITE with a new codec): continue, marked.
  const RtpOutHeader h = out.relay(9, 5000, 777, 160, false, now);
  EXPECT_EQ(h.sequence, 3);
  EXPECT_EQ(h.timestamp, 1u + 320u);
  EXPECT_TRUE(h.marker);
}

TEST(RtpOutputTest, TimestampsJumpByTheWallTimeAfterAPauseOfMoreThanTwoFrames) {
  RtpOutput out(kSsrc, 0, 8000);
  core::Time now = start();
  RtpOutHeader h = out.own(160, now);
  EXPECT_EQ(h.timestamp, 8000u);
  // Exactly 40 ms later: not a pause, the next frame follows on.
  now += milliseconds(40);
  h = out.own(160, now);
  EXPECT_EQ(h.sequence, 1);
  EXPECT_EQ(h.timestamp, 8160u);
  // 500 ms later: the pause shows (8 samples per ms), the sequence still +1.
  now += milliseconds(500);
  h = out.own(160, now);
  EXPECT_EQ(h.sequence, 2);
  EXPECT_EQ(h.timestamp, 8160u + 4000u);
  // A new relayed source after a 100 ms pause likewise.
  now += milliseconds(100);
  h = out.relay(3, 100, 5, 160, false, now);
  EXPECT_EQ(h.sequence, 3);
  EXPECT_EQ(h.timestamp, 8160u + 4000u + 800u);
  EXPECT_TRUE(h.marker);
  // Within a relayed source the source's own timing counts, not the wall clock.
  now += milliseconds(300);
  h = out.relay(3, 101, 165, 160, false, now);
  EXPECT_EQ(h.sequence, 4);
  EXPECT_EQ(h.timestamp, 8160u + 4000u + 800u + 160u);
}

TEST(RtpOutputTest, EventsKeepOneTimestampWithRisingSequenceNumbers) {
  RtpOutput out(kSsrc, 1000, 50000);
  core::Time now = start();
  (void)out.own(160, now);
  now += milliseconds(20);
  const std::uint32_t event_start = out.eventStart(now);
  EXPECT_EQ(event_start, 50160u);  // right after the last frame
  const std::uint32_t durations[] = {400, 800, 960, 960, 960, 960};
  for (std::size_t i = 0; i < std::size(durations); ++i) {
    const RtpOutHeader h = out.event(event_start, durations[i], i == 0, now);
    EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(1001 + i)) << i;
    EXPECT_EQ(h.timestamp, event_start) << i;
    EXPECT_EQ(h.marker, i == 0) << i;
    now += milliseconds(20);
  }
  // Audio after the event continues after the event's duration, with the next number.
  const RtpOutHeader h = out.own(160, now);
  EXPECT_EQ(h.sequence, static_cast<std::uint16_t>(1001 + std::size(durations)));
  EXPECT_GE(h.timestamp, event_start + 960);
}

}  // namespace
}  // namespace sb::media
