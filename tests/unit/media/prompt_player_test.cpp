#include "media/prompt_player.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

namespace sb::media {
namespace {

using Frame = std::array<std::uint8_t, kFrameSamples>;

// A prompt of `n` samples whose μ-law bytes count up from `first` (A-law: the same plus
// 100), so a test can tell which sample of which prompt landed where. Codes that equal a
// silence code are fine: tests compare positions, not meaning.
PromptRef counting(std::size_t n, std::uint8_t first = 0) {
  auto p = std::make_shared<Prompt>();
  p->name = "p";
  for (std::size_t i = 0; i < n; ++i) {
    p->ulaw.push_back(static_cast<std::uint8_t>(first + i));
    p->alaw.push_back(static_cast<std::uint8_t>(first + i + 100));
  }
  return p;
}

Frame filled(std::uint8_t value) {
  Frame f;
  f.fill(value);
  return f;
}

TEST(PromptPlayerTest, IdleGivesNoFrameAndLeavesTheBufferAlone) {
  PromptPlayer player;
  Frame out = filled(7);
  EXPECT_FALSE(player.active());
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out, filled(7));
  EXPECT_FALSE(player.takeFinished());
}

TEST(PromptPlayerTest, PacesByFramesPadsTheLastAndReportsFinishedOnce) {
  PromptPlayer player;
  player.start({counting(400)}, false, false, 42);
  EXPECT_TRUE(player.active());
  Frame out{};
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[159], 159);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out[0], 160);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));  // 80 samples + 80 of silence
  EXPECT_EQ(out[79], static_cast<std::uint8_t>(399));
  for (std::size_t i = 80; i < kFrameSamples; ++i) EXPECT_EQ(out[i], kUlawSilence) << i;
  EXPECT_TRUE(player.active());
  EXPECT_FALSE(player.takeFinished());  // not before the call after the last frame

  Frame untouched = filled(9);
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, untouched));
  EXPECT_EQ(untouched, filled(9));
  EXPECT_FALSE(player.active());
  EXPECT_EQ(player.takeFinished(), 42u);
  EXPECT_FALSE(player.takeFinished());
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, untouched));
  EXPECT_FALSE(player.takeFinished());
}

TEST(PromptPlayerTest, AnExactMultipleOfAFrameHasNoSilentFrame) {
  PromptPlayer player;
  player.start({counting(2 * kFrameSamples)}, false, false, 1);
  Frame out{};
  EXPECT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out[159], static_cast<std::uint8_t>(319));
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(player.takeFinished(), 1u);
}

TEST(PromptPlayerTest, JoinsPromptsSampleExactlyAndUsesTheLegsCodec) {
  PromptPlayer player;
  player.start({counting(100, 0), counting(100, 100)}, false, false, 5);
  Frame out{};
  ASSERT_TRUE(player.nextFrame(Codec::kPcma, out));
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    EXPECT_EQ(out[i], static_cast<std::uint8_t>(i + 100)) << i;  // A-law: +100
  }
  ASSERT_TRUE(player.nextFrame(Codec::kPcma, out));
  for (std::size_t i = 0; i < 40; ++i) EXPECT_EQ(out[i], static_cast<std::uint8_t>(260 + i)) << i;
  for (std::size_t i = 40; i < kFrameSamples; ++i) EXPECT_EQ(out[i], kAlawSilence) << i;
  EXPECT_FALSE(player.nextFrame(Codec::kPcma, out));
  EXPECT_EQ(player.takeFinished(), 5u);
}

TEST(PromptPlayerTest, ManyShortPromptsFillOneFrame) {
  PromptPlayer player;
  std::vector<PromptRef> digits;
  for (int i = 0; i < 4; ++i) digits.push_back(counting(50, static_cast<std::uint8_t>(i * 50)));
  player.start(std::move(digits), false, false, 3);
  Frame out{};
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  for (std::size_t i = 0; i < kFrameSamples; ++i) EXPECT_EQ(out[i], i) << i;
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  for (std::size_t i = 0; i < 40; ++i) EXPECT_EQ(out[i], 160 + i) << i;
  EXPECT_EQ(out[40], kUlawSilence);
}

TEST(PromptPlayerTest, LoopWrapsWithoutAGapUntilStopped) {
  PromptPlayer player;
  player.start({counting(100)}, true, false, 8);
  Frame out{};
  std::size_t played = 0;
  for (int frame = 0; frame < 50; ++frame) {
    ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
    for (std::size_t i = 0; i < kFrameSamples; ++i, ++played) {
      ASSERT_EQ(out[i], played % 100) << "frame " << frame << " sample " << i;
    }
  }
  EXPECT_FALSE(player.takeFinished());
  player.stop();
  EXPECT_FALSE(player.active());
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_FALSE(player.takeFinished());
}

TEST(PromptPlayerTest, LoopOfASequenceRepeatsTheWholeSequence) {
  PromptPlayer player;
  player.start({counting(3, 10), counting(2, 20)}, true, false, 8);
  Frame out{};
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  const std::uint8_t cycle[] = {10, 11, 12, 20, 21};
  for (std::size_t i = 0; i < kFrameSamples; ++i) EXPECT_EQ(out[i], cycle[i % 5]) << i;
}

TEST(PromptPlayerTest, DigitInterruptsOnlyAnInterruptibleSequence) {
  PromptPlayer player;
  Frame out{};
  player.start({counting(1000)}, false, false, 1);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_FALSE(player.interruptByDigit());
  EXPECT_TRUE(player.active());
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out[0], 160);

  player.start({counting(1000)}, false, true, 2);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_TRUE(player.interruptByDigit());
  EXPECT_FALSE(player.active());
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_FALSE(player.takeFinished());
  EXPECT_FALSE(player.interruptByDigit());  // nothing plays any more
}

TEST(PromptPlayerTest, StartReplacesWithoutReportingTheOldOneFinished) {
  PromptPlayer player;
  Frame out{};
  player.start({counting(1000)}, false, true, 1);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  player.start({counting(10, 200)}, false, false, 2);
  EXPECT_EQ(player.id(), 2u);
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(out[0], 200);  // from the start of the new sequence
  EXPECT_EQ(out[10], kUlawSilence);
  EXPECT_FALSE(player.interruptByDigit());  // the new one is not interruptible
  EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
  EXPECT_EQ(player.takeFinished(), 2u);
  EXPECT_FALSE(player.takeFinished());
}

TEST(PromptPlayerTest, ASequenceWithoutAudioEndsAtTheNextFrame) {
  for (const bool loop : {false, true}) {
    PromptPlayer player;
    player.start({nullptr, counting(0)}, loop, false, 9);
    EXPECT_TRUE(player.active());
    Frame out = filled(1);
    EXPECT_FALSE(player.nextFrame(Codec::kPcmu, out));
    EXPECT_EQ(out, filled(1));
    EXPECT_FALSE(player.active());
    EXPECT_EQ(player.takeFinished(), 9u) << loop;
  }
}

TEST(PromptPlayerTest, SkipsEmptyPromptsInsideASequence) {
  PromptPlayer player;
  player.start({counting(5, 0), nullptr, counting(0), counting(5, 5)}, false, false, 4);
  Frame out{};
  ASSERT_TRUE(player.nextFrame(Codec::kPcmu, out));
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(out[i], i) << i;
  EXPECT_EQ(out[10], kUlawSilence);
}

}  // namespace
}  // namespace sb::media
