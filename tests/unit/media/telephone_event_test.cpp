#include "media/telephone_event.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::media {
namespace {

using std::chrono::milliseconds;

core::Time at(int ms) {
  return core::Time{std::chrono::seconds{1'700'000'000}} + milliseconds{ms};
}

std::array<std::uint8_t, 4> payload(std::uint8_t event, bool end, std::uint8_t volume,
                                    std::uint16_t duration) {
  return serializeTelephoneEvent(TelephoneEvent{event, end, volume, duration});
}

TEST(TelephoneEventTest, ParsesTheFourByteLayout) {
  // RFC 4733 §2.3: event 11 ('#'), E set, R set (ignored), volume 10, duration 0x0320.
  const std::array<std::uint8_t, 4> bytes{0x0B, 0xCA, 0x03, 0x20};
  auto event = parseTelephoneEvent(bytes);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->event, 11);
  EXPECT_TRUE(event->end);
  EXPECT_EQ(event->volume, 10);
  EXPECT_EQ(event->duration, 800);
  EXPECT_EQ(serializeTelephoneEvent(*event), (std::array<std::uint8_t, 4>{0x0B, 0x8A, 0x03, 0x20}));
}

TEST(TelephoneEventTest, RefusesBadLengths) {
  const std::array<std::uint8_t, 8> bytes{};
  for (std::size_t size : {0u, 1u, 3u, 5u, 8u}) {
    auto event = parseTelephoneEvent(std::span(bytes.data(), size));
    ASSERT_FALSE(event.ok()) << size;
    EXPECT_EQ(event.error().code, core::ErrorCode::kInvalidInput);
  }
}

TEST(TelephoneEventTest, MapsDtmfEventsToCharacters) {
  const std::string expected = "0123456789*#ABCD";
  for (std::uint8_t e = 0; e < 16; ++e) {
    EXPECT_EQ(dtmfCharacter(e), expected[e]);
    EXPECT_EQ(dtmfEvent(expected[e]), e);
  }
  EXPECT_EQ(dtmfCharacter(16), std::nullopt);  // flash
  EXPECT_EQ(dtmfEvent('b'), 13);
  EXPECT_EQ(dtmfEvent('E'), std::nullopt);
}

// Feeds packets with consecutive sequence numbers and collects the digits.
class Receiver {
 public:
  std::string feed(std::array<std::uint8_t, 4> bytes, std::uint32_t ts, bool marker, int ms) {
    auto out = receiver.onPacket(bytes, ts, marker, seq++, at(ms));
    EXPECT_TRUE(out.ok());
    std::string digits;
    for (const auto& d : *out) {
      digits += d.digit;
      all.push_back(d);
    }
    return digits;
  }
  TelephoneEventReceiver receiver;
  std::uint16_t seq = 65530;  // wraps during the tests
  std::vector<ReceivedDigit> all;
};

TEST(TelephoneEventReceiverTest, ReportsADigitOnceAtItsEnd) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(5, false, 10, 400), 1000, true, 0), "");
  EXPECT_EQ(r.feed(payload(5, false, 10, 800), 1000, false, 50), "");
  EXPECT_EQ(r.feed(payload(5, false, 12, 1200), 1000, false, 100), "");
  EXPECT_EQ(r.feed(payload(5, true, 12, 1600), 1000, false, 150), "5");
  EXPECT_EQ(r.feed(payload(5, true, 12, 1600), 1000, false, 170), "");  // repeats
  EXPECT_EQ(r.feed(payload(5, true, 12, 1600), 1000, false, 190), "");
  ASSERT_EQ(r.all.size(), 1u);
  EXPECT_EQ(r.all[0].duration, 1600);
  EXPECT_EQ(r.all[0].volume, 12);
  EXPECT_EQ(r.all[0].rtp_timestamp, 1000u);
  EXPECT_TRUE(r.all[0].ended);
  EXPECT_EQ(r.receiver.ignoredPackets(), 2u);
  EXPECT_EQ(r.receiver.nextDeadline(), std::nullopt);
}

TEST(TelephoneEventReceiverTest, ALostStartStillYieldsTheDigitOnce) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(9, false, 10, 800), 2000, false, 0), "");
  EXPECT_EQ(r.feed(payload(9, true, 10, 1280), 2000, false, 50), "9");
  // Only an end packet survives: reported at once.
  EXPECT_EQ(r.feed(payload(10, true, 10, 960), 4000, false, 500), "*");
  EXPECT_EQ(r.feed(payload(10, true, 10, 960), 4000, false, 520), "");
}

TEST(TelephoneEventReceiverTest, TheSameDigitAtANewTimestampIsASecondDigit) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(1, false, 10, 400), 1000, true, 0), "");
  EXPECT_EQ(r.feed(payload(1, true, 10, 800), 1000, false, 100), "1");
  EXPECT_EQ(r.feed(payload(1, true, 10, 800), 1000, false, 120), "");
  EXPECT_EQ(r.feed(payload(1, false, 10, 400), 3000, true, 300), "");
  EXPECT_EQ(r.feed(payload(1, true, 10, 800), 3000, false, 400), "1");
}

TEST(TelephoneEventReceiverTest, ANewEventReportsAnOpenOneWhoseEndWasLost) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(2, false, 10, 400), 1000, true, 0), "");
  EXPECT_EQ(r.feed(payload(3, false, 10, 400), 3000, true, 250), "2");
  ASSERT_EQ(r.all.size(), 1u);
  EXPECT_FALSE(r.all[0].ended);
  EXPECT_EQ(r.all[0].duration, 400);
  // And both at once when the new event's first packet seen is its end.
  EXPECT_EQ(r.feed(payload(4, true, 10, 800), 5000, false, 500), "34");
}

TEST(TelephoneEventReceiverTest, ATimeoutReportsADigitWhoseEndPacketsWereLost) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(11, false, 10, 400), 1000, true, 0), "");
  EXPECT_EQ(r.feed(payload(11, false, 10, 800), 1000, false, 50), "");
  ASSERT_TRUE(r.receiver.nextDeadline().has_value());
  EXPECT_EQ(*r.receiver.nextDeadline(), at(550));
  EXPECT_EQ(r.receiver.poll(at(549)), std::nullopt);
  auto digit = r.receiver.poll(at(550));
  ASSERT_TRUE(digit.has_value());
  EXPECT_EQ(digit->digit, '#');
  EXPECT_FALSE(digit->ended);
  EXPECT_EQ(digit->duration, 800);
  EXPECT_EQ(r.receiver.poll(at(600)), std::nullopt);
  EXPECT_EQ(r.receiver.nextDeadline(), std::nullopt);
  // A late end packet after the timeout does not report it again.
  EXPECT_EQ(r.feed(payload(11, true, 10, 1600), 1000, false, 700), "");
}

TEST(TelephoneEventReceiverTest, IgnoresNonDtmfEventsAndLatePackets) {
  Receiver r;
  EXPECT_EQ(r.feed(payload(16, true, 10, 800), 500, true, 0), "");  // flash
  EXPECT_EQ(r.feed(payload(7, false, 10, 400), 1000, true, 10), "");
  EXPECT_EQ(r.feed(payload(7, true, 10, 800), 1000, false, 60), "7");
  // A reordered packet of an older event does not start it again.
  EXPECT_EQ(r.feed(payload(6, true, 10, 800), 600, false, 70), "");
  // Nor does a packet with an old sequence number but a new timestamp.
  r.seq = static_cast<std::uint16_t>(r.seq - 10);
  EXPECT_EQ(r.feed(payload(8, true, 10, 800), 9000, true, 80), "");
  EXPECT_EQ(r.receiver.ignoredPackets(), 3u);
  // After a reset (new SSRC) the old sequence numbers mean nothing.
  r.receiver.reset();
  EXPECT_EQ(r.receiver.ignoredPackets(), 0u);
  r.seq = static_cast<std::uint16_t>(r.seq - 10);
  EXPECT_EQ(r.feed(payload(8, true, 10, 800), 9000, true, 90), "8");
}

TEST(TelephoneEventReceiverTest, RefusesABadPayloadWithoutChangingState) {
  TelephoneEventReceiver receiver;
  const std::array<std::uint8_t, 4> start = payload(5, false, 10, 400);
  ASSERT_TRUE(receiver.onPacket(start, 1000, true, 1, at(0)).ok());
  const std::array<std::uint8_t, 3> bad{5, 0x80, 1};
  EXPECT_FALSE(receiver.onPacket(bad, 1000, false, 2, at(10)).ok());
  EXPECT_EQ(*receiver.nextDeadline(), at(500));
}

struct Sent {
  bool marker;
  bool end;
  std::uint16_t duration;
  int offset_ms;
};

std::vector<Sent> sendAll(TelephoneEventSender& sender) {
  std::vector<Sent> sent;
  while (auto packet = sender.next()) {
    auto event = parseTelephoneEvent(packet->payload);
    EXPECT_TRUE(event.ok());
    EXPECT_EQ(packet->rtp_timestamp, 12345u);
    EXPECT_EQ(event->event, 5);
    EXPECT_EQ(event->volume, 10);
    sent.push_back({packet->marker, event->end, event->duration,
                    static_cast<int>(packet->send_offset.count())});
  }
  return sent;
}

TEST(TelephoneEventSenderTest, SendsStartUpdatesAndThreeEndPackets) {
  TelephoneEventSender sender;
  ASSERT_TRUE(sender.start('5', milliseconds{200}, 12345).ok());
  EXPECT_TRUE(sender.busy());
  const auto sent = sendAll(sender);
  ASSERT_EQ(sent.size(), 7u);
  const std::vector<Sent> expected{{true, false, 400, 0},     {false, false, 800, 50},
                                   {false, false, 1200, 100}, {false, false, 1600, 150},
                                   {false, true, 1600, 200},  {false, true, 1600, 250},
                                   {false, true, 1600, 300}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(sent[i].marker, expected[i].marker) << i;
    EXPECT_EQ(sent[i].end, expected[i].end) << i;
    EXPECT_EQ(sent[i].duration, expected[i].duration) << i;
    EXPECT_EQ(sent[i].offset_ms, expected[i].offset_ms) << i;
  }
  EXPECT_FALSE(sender.busy());
  EXPECT_EQ(sender.next(), std::nullopt);
}

TEST(TelephoneEventSenderTest, HonoursIntervalAndCapsTheLastUpdate) {
  TelephoneEventSender sender(
      {.clock_rate = 8000, .update_interval = milliseconds{20}, .end_packets = 3, .volume = 10});
  ASSERT_TRUE(sender.start('5', milliseconds{50}, 12345).ok());
  const auto sent = sendAll(sender);
  ASSERT_EQ(sent.size(), 6u);
  EXPECT_EQ(sent[0].duration, 160);
  EXPECT_EQ(sent[1].duration, 320);
  EXPECT_EQ(sent[2].duration, 400);  // capped at 50 ms
  EXPECT_EQ(sent[2].offset_ms, 40);
  EXPECT_EQ(sent[3].offset_ms, 50);
  EXPECT_TRUE(sent[3].end);
  EXPECT_EQ(sent[5].offset_ms, 90);
}

TEST(TelephoneEventSenderTest, RefusesBadDigitsAndDurations) {
  TelephoneEventSender sender;
  EXPECT_FALSE(sender.start('x', milliseconds{100}, 0).ok());
  EXPECT_FALSE(sender.start('1', milliseconds{0}, 0).ok());
  EXPECT_FALSE(sender.start('1', milliseconds{8192}, 0).ok());  // 65536 samples
  EXPECT_TRUE(sender.start('1', milliseconds{8191}, 0).ok());
  auto busy = sender.start('2', milliseconds{100}, 0);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, core::ErrorCode::kConflict);
}

TEST(TelephoneEventSenderTest, ItsPacketsGiveTheReceiverOneDigit) {
  TelephoneEventSender sender;
  TelephoneEventReceiver receiver;
  ASSERT_TRUE(sender.start('D', milliseconds{120}, 777).ok());
  std::string digits;
  std::uint16_t seq = 0;
  while (auto packet = sender.next()) {
    auto out = receiver.onPacket(packet->payload, packet->rtp_timestamp, packet->marker, seq++,
                                 at(static_cast<int>(packet->send_offset.count())));
    ASSERT_TRUE(out.ok());
    for (const auto& d : *out) {
      digits += d.digit;
      EXPECT_EQ(d.duration, 960);
    }
  }
  EXPECT_EQ(digits, "D");
}

}  // namespace
}  // namespace sb::media
