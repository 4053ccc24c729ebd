#include "media/call_recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "media/g711.hpp"

namespace sb::media {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Samples = std::vector<std::int16_t>;

constexpr std::size_t kFrame = kFrameSamples;

// Payload `index` of a side's talk: codes that count up, so order, loss and repetition
// all show in the decoded samples. A-law never decodes to 0, so any 0 is silence.
Bytes payload(std::size_t index, std::size_t samples = kFrame) {
  Bytes b(samples);
  for (std::size_t i = 0; i < samples; ++i) b[i] = static_cast<std::uint8_t>(index * samples + i);
  return b;
}

// What the side's whole talk decodes to, in order.
Samples decoded(Codec codec, std::size_t packets, std::size_t samples = kFrame) {
  Samples s;
  for (std::size_t p = 0; p < packets; ++p) {
    for (const std::uint8_t code : payload(p, samples)) {
      s.push_back(codec == Codec::kPcmu ? ulawToLinear(code) : alawToLinear(code));
    }
  }
  return s;
}

// Collects every block and the final flush into two channels.
struct Output {
  Samples left;
  Samples right;
  std::size_t blocks = 0;

  void add(const Samples& interleaved) {
    for (std::size_t i = 0; i + 1 < interleaved.size(); i += 2) {
      left.push_back(interleaved[i]);
      right.push_back(interleaved[i + 1]);
    }
  }
  void tick(CallRecorder& recorder) {
    if (auto block = recorder.tick()) {
      ++blocks;
      add(*block);
    }
  }
  void finish(CallRecorder& recorder) { add(recorder.flush()); }
};

Samples slice(const Samples& s, std::size_t from, std::size_t count) {
  return Samples(s.begin() + static_cast<std::ptrdiff_t>(from),
                 s.begin() + static_cast<std::ptrdiff_t>(from + count));
}

std::size_t firstNonZero(const Samples& s) {
  return static_cast<std::size_t>(
      std::find_if(s.begin(), s.end(), [](std::int16_t v) { return v != 0; }) - s.begin());
}

bool allSilent(const Samples& s, std::size_t from, std::size_t to) {
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from),
                     s.begin() + static_cast<std::ptrdiff_t>(to),
                     [](std::int16_t v) { return v == 0; });
}

TEST(CallRecorderTest, SteadySidesPlayInOrderAfterOneTickOfJitterAllowance) {
  CallRecorder recorder;
  Output out;
  const std::size_t packets = 60;
  for (std::size_t p = 0; p < packets; ++p) {
    recorder.push(RecordSide::kCustomer, Codec::kPcmu, payload(p));
    recorder.push(RecordSide::kAgent, Codec::kPcma, payload(p));
    out.tick(recorder);
  }
  out.tick(recorder);  // plays the last packet
  out.finish(recorder);
  EXPECT_EQ(recorder.frames(), (packets + 1) * kFrame);
  ASSERT_EQ(out.left.size(), (packets + 1) * kFrame);
  ASSERT_EQ(out.right.size(), (packets + 1) * kFrame);
  EXPECT_EQ(out.blocks, 1u);  // 50 ticks make the first 1 s block
  // The first tick waits (silence), then every packet plays, in order, on its channel.
  EXPECT_TRUE(allSilent(out.left, 0, kFrame));
  EXPECT_TRUE(allSilent(out.right, 0, kFrame));
  EXPECT_EQ(slice(out.left, kFrame, packets * kFrame), decoded(Codec::kPcmu, packets));
  EXPECT_EQ(slice(out.right, kFrame, packets * kFrame), decoded(Codec::kPcma, packets));
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kCustomer), 0u);
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kAgent), 0u);
}

TEST(CallRecorderTest, MixedCodecsDecodeToTheirSidesChannel) {
  CallRecorder recorder;
  Output out;
  // The customer switches codec mid-call; the agent sends the other one.
  for (std::size_t p = 0; p < 4; ++p) {
    const Codec customer = p < 2 ? Codec::kPcma : Codec::kPcmu;
    const Codec agent = p < 2 ? Codec::kPcmu : Codec::kPcma;
    const Bytes codes(kFrame, static_cast<std::uint8_t>(0x10 + p));
    recorder.push(RecordSide::kCustomer, customer, codes);
    recorder.push(RecordSide::kAgent, agent, codes);
    out.tick(recorder);
  }
  out.tick(recorder);
  out.finish(recorder);
  ASSERT_EQ(out.left.size(), 5 * kFrame);
  for (std::size_t p = 0; p < 4; ++p) {
    const auto code = static_cast<std::uint8_t>(0x10 + p);
    const std::size_t at = (p + 1) * kFrame + 17;
    EXPECT_EQ(out.left[at], p < 2 ? alawToLinear(code) : ulawToLinear(code)) << p;
    EXPECT_EQ(out.right[at], p < 2 ? ulawToLinear(code) : alawToLinear(code)) << p;
  }
}

TEST(CallRecorderTest, SilentSideIsSilenceForTheWholeLength) {
  CallRecorder recorder;
  Output out;
  for (std::size_t p = 0; p < 100; ++p) {
    recorder.push(RecordSide::kAgent, Codec::kPcma, payload(p));
    out.tick(recorder);
  }
  EXPECT_TRUE(recorder.flush().empty());  // the last tick completed the second block
  EXPECT_EQ(out.blocks, 2u);
  EXPECT_EQ(recorder.frames(), 100 * kFrame);
  ASSERT_EQ(out.left.size(), 100 * kFrame);
  ASSERT_EQ(out.right.size(), 100 * kFrame);
  EXPECT_TRUE(allSilent(out.left, 0, out.left.size()));
  EXPECT_EQ(slice(out.right, kFrame, 99 * kFrame), decoded(Codec::kPcma, 99));
}

TEST(CallRecorderTest, NobodySpeakingStillRecordsTheTime) {
  CallRecorder recorder;
  Output out;
  for (int i = 0; i < 7; ++i) out.tick(recorder);
  out.finish(recorder);
  EXPECT_EQ(recorder.frames(), 7 * kFrame);
  ASSERT_EQ(out.left.size(), 7 * kFrame);
  EXPECT_TRUE(allSilent(out.left, 0, out.left.size()));
  EXPECT_TRUE(allSilent(out.right, 0, out.right.size()));
}

// Packets sent every 20 ms at every phase relative to the tick, each delayed by up to
// ±10 ms: once a side's talk starts, it plays without a gap, without loss or reordering.
TEST(CallRecorderTest, PhaseJitterNeverInsertsSilenceMidTalk) {
  constexpr std::int64_t kTickUs = 20'000;
  constexpr std::size_t kPackets = 150;  // 3 s of talk
  constexpr std::size_t kTicks = 200;    // and 1 s more
  std::mt19937 random(4242);
  std::uniform_int_distribution<std::int64_t> jitter(-10'000, 10'000);

  for (std::int64_t phase = 0; phase < kTickUs; phase += 500) {
    for (int round = 0; round < 4; ++round) {
      struct Arrival {
        std::int64_t at;
        RecordSide side;
        std::size_t index;
      };
      std::vector<Arrival> arrivals;
      for (std::size_t p = 0; p < kPackets; ++p) {
        const auto sent = static_cast<std::int64_t>(p) * kTickUs + kTickUs + phase;
        arrivals.push_back({sent + jitter(random), RecordSide::kCustomer, p});
        // The agent at another phase, starting 200 ms later.
        arrivals.push_back({sent + 10 * kTickUs + (phase * 7 + 3'000) % kTickUs + jitter(random),
                            RecordSide::kAgent, p});
      }
      std::stable_sort(arrivals.begin(), arrivals.end(),
                       [](const Arrival& a, const Arrival& b) { return a.at < b.at; });

      CallRecorder recorder;
      Output out;
      std::size_t next = 0;
      for (std::size_t t = 1; t <= kTicks; ++t) {
        const auto tick_at = static_cast<std::int64_t>(t) * kTickUs;
        // A packet arriving exactly on the tick is handled after it (the harder case).
        while (next < arrivals.size() && arrivals[next].at < tick_at) {
          const Arrival& a = arrivals[next++];
          recorder.push(a.side, Codec::kPcma, payload(a.index));
        }
        out.tick(recorder);
      }
      out.finish(recorder);
      SCOPED_TRACE(testing::Message() << "phase " << phase << " us, round " << round);
      ASSERT_EQ(out.left.size(), kTicks * kFrame);
      ASSERT_EQ(recorder.droppedSamples(RecordSide::kCustomer), 0u);
      ASSERT_EQ(recorder.droppedSamples(RecordSide::kAgent), 0u);
      const Samples talk = decoded(Codec::kPcma, kPackets);
      for (const Samples* channel : {&out.left, &out.right}) {
        const std::size_t start = firstNonZero(*channel);
        ASSERT_LE(start + talk.size(), channel->size());
        ASSERT_EQ(slice(*channel, start, talk.size()), talk);
        ASSERT_TRUE(allSilent(*channel, start + talk.size(), channel->size()));
      }
      // Each side starts within two ticks of its first packet: the channels stay aligned.
      const auto first_customer = static_cast<std::size_t>(kTickUs + phase - 10'000);
      EXPECT_LE(firstNonZero(out.left) * 125, first_customer + 3 * kTickUs);
    }
  }
}

TEST(CallRecorderTest, BurstBeyondTheLimitDropsTheOldestAndCounts) {
  CallRecorder recorder;  // 480 samples per side
  Output out;
  for (std::size_t p = 0; p < 4; ++p)
    recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(p));
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kCustomer), kFrame);
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kAgent), 0u);
  EXPECT_EQ(recorder.queuedSamples(RecordSide::kCustomer), 480u);
  for (int i = 0; i < 4; ++i) out.tick(recorder);
  out.finish(recorder);
  // Two frames queued: no wait; packets 1..3 play, packet 0 is gone.
  const Samples all = decoded(Codec::kPcma, 4);
  EXPECT_EQ(slice(out.left, 0, 3 * kFrame), slice(all, kFrame, 3 * kFrame));
  EXPECT_TRUE(allSilent(out.left, 3 * kFrame, 4 * kFrame));
}

TEST(CallRecorderTest, OversizedPayloadKeepsItsNewestSamples) {
  CallRecorder recorder({.max_buffered_samples = 320, .block_frames = 8000});
  const Bytes big = payload(0, 400);
  recorder.push(RecordSide::kAgent, Codec::kPcma, big);
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kAgent), 80u);
  EXPECT_EQ(recorder.queuedSamples(RecordSide::kAgent), 320u);
  recorder.tick();
  recorder.tick();
  const Samples rest = recorder.flush();
  ASSERT_EQ(rest.size(), 2 * 2 * kFrame);
  EXPECT_EQ(rest[1], alawToLinear(big[80]));
  EXPECT_EQ(rest[rest.size() - 1], alawToLinear(big[399]));
}

TEST(CallRecorderTest, LatencyStaysBoundedWhenASideSendsTooFast) {
  CallRecorder recorder;
  for (std::size_t t = 0; t < 100; ++t) {
    // 30 ms of audio every 20 ms (a broken clock, or a burst after a network stall).
    recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(t, 240));
    recorder.tick();
    EXPECT_LE(recorder.queuedSamples(RecordSide::kCustomer), 480u);
  }
  // 24000 samples sent, 16000 played (less the first wait), the rest dropped or queued.
  const std::uint64_t dropped = recorder.droppedSamples(RecordSide::kCustomer);
  EXPECT_EQ(dropped + recorder.queuedSamples(RecordSide::kCustomer) + 99 * kFrame, 24000u);
}

TEST(CallRecorderTest, HoldIsSilenceAndTalkResumesAfterIt) {
  CallRecorder recorder;
  Output out;
  std::size_t sent = 0;
  auto talk = [&](std::size_t ticks) {
    for (std::size_t i = 0; i < ticks; ++i) {
      recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(sent++));
      out.tick(recorder);
    }
  };
  talk(10);
  for (int i = 0; i < 25; ++i) out.tick(recorder);  // on hold: the customer sends nothing
  talk(10);
  out.tick(recorder);
  out.finish(recorder);
  ASSERT_EQ(out.left.size(), 46 * kFrame);
  const Samples all = decoded(Codec::kPcma, 20);
  EXPECT_EQ(slice(out.left, kFrame, 10 * kFrame), slice(all, 0, 10 * kFrame));
  EXPECT_TRUE(allSilent(out.left, 11 * kFrame, 36 * kFrame));
  EXPECT_EQ(slice(out.left, 36 * kFrame, 10 * kFrame), slice(all, 10 * kFrame, 10 * kFrame));
}

TEST(CallRecorderTest, APacketLaterThanTheAllowanceCostsOneGapAndNoAudio) {
  CallRecorder recorder;
  Output out;
  for (std::size_t p = 0; p < 5; ++p) {
    recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(p));
    out.tick(recorder);
  }
  out.tick(recorder);  // packet 5 is 40 ms late: the queue runs dry
  out.tick(recorder);
  for (std::size_t p = 5; p < 10; ++p) {
    recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(p));
    out.tick(recorder);
  }
  out.tick(recorder);
  out.finish(recorder);
  const Samples all = decoded(Codec::kPcma, 10);
  // wait, 0..4, dry (packet 5 not there), wait (it just came), 5..9
  ASSERT_EQ(out.left.size(), 13 * kFrame);
  EXPECT_EQ(slice(out.left, kFrame, 5 * kFrame), slice(all, 0, 5 * kFrame));
  EXPECT_TRUE(allSilent(out.left, 6 * kFrame, 8 * kFrame));
  EXPECT_EQ(slice(out.left, 8 * kFrame, 5 * kFrame), slice(all, 5 * kFrame, 5 * kFrame));
  EXPECT_EQ(recorder.droppedSamples(RecordSide::kCustomer), 0u);
}

TEST(CallRecorderTest, ShortPacketsAndPartialFramesKeepEverySample) {
  CallRecorder recorder;
  Output out;
  // 10 ms packets, two per tick, then a last odd-sized one.
  std::size_t sent = 0;
  Samples expected;
  for (std::size_t t = 0; t < 6; ++t) {
    for (int i = 0; i < 2; ++i) {
      const Bytes b = payload(sent++, 80);
      recorder.push(RecordSide::kAgent, Codec::kPcma, b);
      for (auto c : b) expected.push_back(alawToLinear(c));
    }
    out.tick(recorder);
  }
  const Bytes tail(50, 0x33);
  recorder.push(RecordSide::kAgent, Codec::kPcma, tail);
  for (auto c : tail) expected.push_back(alawToLinear(c));
  for (int i = 0; i < 3; ++i) out.tick(recorder);
  out.finish(recorder);
  ASSERT_EQ(out.right.size(), 9 * kFrame);
  EXPECT_EQ(slice(out.right, kFrame, expected.size()), expected);
  EXPECT_TRUE(allSilent(out.right, kFrame + expected.size(), out.right.size()));
}

TEST(CallRecorderTest, FlushReturnsThePartialBlockAndCountsStayExact) {
  CallRecorder recorder;
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(recorder.tick().has_value());
  EXPECT_EQ(recorder.frames(), 7 * kFrame);
  EXPECT_EQ(recorder.flush().size(), 7 * kFrame * 2);
  EXPECT_TRUE(recorder.flush().empty());
  std::size_t blocks = 0;
  for (int i = 0; i < 50; ++i) {
    if (auto block = recorder.tick()) {
      EXPECT_EQ(block->size(), 8000u * 2);
      ++blocks;
    }
  }
  EXPECT_EQ(blocks, 1u);  // the flush started a new block
  EXPECT_EQ(recorder.frames(), 57 * kFrame);
}

TEST(CallRecorderTest, BlockSizeNeedNotBeAWholeNumberOfFrames) {
  CallRecorder recorder({.max_buffered_samples = 480, .block_frames = 250});
  Output out;
  for (std::size_t p = 0; p < 20; ++p) {
    recorder.push(RecordSide::kCustomer, Codec::kPcma, payload(p));
    if (auto block = recorder.tick()) {
      EXPECT_EQ(block->size(), 500u);
      out.add(*block);
      ++out.blocks;
    }
  }
  out.finish(recorder);
  EXPECT_EQ(out.blocks, 12u);  // 3200 frames = 12 × 250 + 200
  ASSERT_EQ(out.left.size(), 20 * kFrame);
  EXPECT_EQ(slice(out.left, kFrame, 19 * kFrame), decoded(Codec::kPcma, 19));
}

}  // namespace
}  // namespace sb::media
