#include "media/recording_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>

#include "media/wav.hpp"
#include "support/temp_dir.hpp"

namespace sb::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::uint32_t u32(const Bytes& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

std::int16_t sampleAt(const Bytes& b, std::size_t frame, int channel) {
  const std::size_t at = kPcm16WavHeaderSize + frame * 4 + static_cast<std::size_t>(channel) * 2;
  return static_cast<std::int16_t>(b[at] | (b[at + 1] << 8));
}

// Frames the header says the file holds (and the file parses as WAV at all).
std::uint64_t headerFrames(const std::filesystem::path& path) {
  const Bytes b = readFile(path);
  auto parsed = parseWav(b);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  EXPECT_EQ(u32(b, 4), u32(b, 40) + 36);
  return u32(b, 40) / 4;
}

std::vector<std::int16_t> tone(double hz, std::size_t n, std::size_t offset) {
  std::vector<std::int16_t> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = static_cast<std::int16_t>(std::lround(
        8000 * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i + offset) / 8000)));
  }
  return s;
}

TEST(InterleaveStereoTest, PadsTheShorterSideWithSilence) {
  const std::vector<std::int16_t> left = {1, 2, 3};
  const std::vector<std::int16_t> right = {-1};
  EXPECT_EQ(interleaveStereo(left, right), (std::vector<std::int16_t>{1, -1, 2, 0, 3, 0}));
  EXPECT_EQ(interleaveStereo(right, left), (std::vector<std::int16_t>{-1, 1, 0, 2, 0, 3}));
  EXPECT_EQ(interleaveStereo({}, left), (std::vector<std::int16_t>{0, 1, 0, 2, 0, 3}));
  EXPECT_TRUE(interleaveStereo({}, {}).empty());
}

TEST(RecordingFileTest, FinishWritesExactSizesAndChannels) {
  testing::TempDir dir;
  const auto path = dir.path() / "call.wav";
  auto file = RecordingFile::create(path.string());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(headerFrames(path), 0u);  // the provisional header is a valid empty file
  std::size_t written = 0;
  for (int batch = 0; batch < 7; ++batch) {
    const auto left = tone(1000, 1600, written);
    const auto right = tone(2000, batch == 6 ? 1000 : 1600, written);  // agent stops early
    ASSERT_TRUE((*file)->appendFrames(left, right).ok());
    written += 1600;
  }
  ASSERT_TRUE((*file)->finish().ok());
  EXPECT_TRUE((*file)->finished());
  EXPECT_EQ((*file)->frames(), written);
  EXPECT_EQ(headerFrames(path), written);
  const Bytes b = readFile(path);
  EXPECT_EQ(b.size(), kPcm16WavHeaderSize + written * 4);
  EXPECT_EQ(sampleAt(b, 2, 0), tone(1000, 3, 0)[2]);
  EXPECT_EQ(sampleAt(b, 2, 1), tone(2000, 3, 0)[2]);
  EXPECT_EQ(sampleAt(b, written - 1, 1), 0);  // padded with silence
  EXPECT_NE(sampleAt(b, written - 1, 0), 0);
  EXPECT_FALSE((*file)->appendFrames(tone(1000, 10, 0), {}).ok());
  // A finished file needs no repair.
  auto repair = repairRecording(path.string());
  ASSERT_TRUE(repair.ok());
  EXPECT_EQ(repair->action, RecordingRepairAction::kNone);
  EXPECT_EQ(repair->frames, written);
}

TEST(RecordingFileTest, InterleavedBlocksWriteTheSameBytesAndIgnoreAPartialFrame) {
  testing::TempDir dir;
  const auto split_path = dir.path() / "split.wav";
  const auto block_path = dir.path() / "block.wav";
  auto split = RecordingFile::create(split_path.string());
  auto block = RecordingFile::create(block_path.string());
  ASSERT_TRUE(split.ok() && block.ok());
  const auto left = tone(1000, 9000, 0);
  const auto right = tone(2000, 9000, 0);
  ASSERT_TRUE((*split)->appendFrames(left, right).ok());
  auto interleaved = interleaveStereo(left, right);
  interleaved.push_back(1234);  // half a frame: not written
  ASSERT_TRUE((*block)->appendInterleaved(interleaved).ok());
  EXPECT_EQ((*block)->frames(), 9000u);
  ASSERT_TRUE((*split)->finish().ok());
  ASSERT_TRUE((*block)->finish().ok());
  EXPECT_EQ(readFile(split_path), readFile(block_path));
}

TEST(RecordingFileTest, CrashLeavesAtMostOneSecondUncountedAndRepairFixesIt) {
  testing::TempDir dir;
  const auto path = dir.path() / "crash.wav";
  std::uint64_t written = 0;
  {
    auto file = RecordingFile::create(path.string());
    ASSERT_TRUE(file.ok());
    for (int batch = 0; batch < 23; ++batch) {  // 23 × 160 ms = 3.68 s
      ASSERT_TRUE((*file)->appendFrames(tone(1000, 1280, 0), tone(2000, 1280, 0)).ok());
      written += 1280;
      // Before every crash point the header lags by less than a second.
      EXPECT_LT(written - headerFrames(path), RecordingFile::kHeaderIntervalFrames);
    }
  }  // "crash": the file is closed without finish()
  EXPECT_LT(written - headerFrames(path), RecordingFile::kHeaderIntervalFrames);
  EXPECT_NE(headerFrames(path), written);
  auto repair = repairRecording(path.string());
  ASSERT_TRUE(repair.ok()) << repair.error().message;
  EXPECT_EQ(repair->action, RecordingRepairAction::kFixedSizes);
  EXPECT_EQ(repair->frames, written);
  EXPECT_EQ(repair->truncated_bytes, 0u);
  EXPECT_EQ(headerFrames(path), written);
  auto again = repairRecording(path.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->action, RecordingRepairAction::kNone);
}

TEST(RecordingFileTest, FlushMakesTheHeaderExact) {
  testing::TempDir dir;
  const auto path = dir.path() / "flush.wav";
  {
    auto file = RecordingFile::create(path.string());
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->appendFrames(tone(1000, 3000, 0), tone(2000, 3000, 0)).ok());
    EXPECT_EQ(headerFrames(path), 0u);
    ASSERT_TRUE((*file)->flush().ok());
    EXPECT_EQ(headerFrames(path), 3000u);
  }
  auto repair = repairRecording(path.string());
  ASSERT_TRUE(repair.ok());
  EXPECT_EQ(repair->action, RecordingRepairAction::kNone);
  EXPECT_EQ(repair->frames, 3000u);
}

TEST(RecordingFileTest, RepairCutsAPartialFrame) {
  testing::TempDir dir;
  const auto path = dir.path() / "partial.wav";
  {
    auto file = RecordingFile::create(path.string());
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->appendFrames(tone(1000, 100, 0), {}).ok());
  }
  Bytes b = readFile(path);
  b.push_back(0x12);
  b.push_back(0x34);
  b.push_back(0x56);  // a write cut three bytes into a frame
  writeFile(path, b);
  auto repair = repairRecording(path.string());
  ASSERT_TRUE(repair.ok());
  EXPECT_EQ(repair->action, RecordingRepairAction::kFixedSizes);
  EXPECT_EQ(repair->frames, 100u);
  EXPECT_EQ(repair->truncated_bytes, 3u);
  EXPECT_EQ(std::filesystem::file_size(path), kPcm16WavHeaderSize + 400);
  EXPECT_EQ(headerFrames(path), 100u);
}

TEST(RecordingFileTest, RepairOfAFileCutInsideItsHeader) {
  testing::TempDir dir;
  const auto header = pcm16WavHeader(2, 8000, 0);
  for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{43}}) {
    const auto path = dir.path() / ("cut" + std::to_string(n) + ".wav");
    writeFile(path, Bytes(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n)));
    auto repair = repairRecording(path.string());
    ASSERT_TRUE(repair.ok()) << n;
    EXPECT_EQ(repair->action, RecordingRepairAction::kWroteHeader);
    EXPECT_EQ(repair->frames, 0u);
    EXPECT_EQ(headerFrames(path), 0u);
  }
}

TEST(RecordingFileTest, RepairLeavesForeignFilesAlone) {
  testing::TempDir dir;
  const auto mono = dir.path() / "mono.wav";
  const std::vector<std::int16_t> samples(100, 5);
  const Bytes original = encodePcm16Wav(samples, 1, 8000);
  writeFile(mono, original);
  auto repair = repairRecording(mono.string());
  ASSERT_FALSE(repair.ok());
  EXPECT_EQ(repair.error().code, core::ErrorCode::kInvalidInput);
  EXPECT_EQ(readFile(mono), original);

  const auto text = dir.path() / "notes.txt";
  writeFile(text, Bytes{'h', 'e', 'l', 'l', 'o'});
  EXPECT_EQ(repairRecording(text.string()).error().code, core::ErrorCode::kInvalidInput);
  EXPECT_EQ(repairRecording((dir.path() / "missing.wav").string()).error().code,
            core::ErrorCode::kUnavailable);
  EXPECT_EQ(repairRecording(dir.str()).error().code, core::ErrorCode::kUnavailable);
}

TEST(RecordingFileTest, FullDiskIsReportedNotThrown) {
  auto file = RecordingFile::create("/dev/full");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(file.error().message.find("write failed"), std::string::npos);
  EXPECT_FALSE(RecordingFile::create("/nonexistent-dir/x.wav").ok());
}

// Accepts `budget` bytes, then fails like a full disk; counts header rewrites.
class FillingOutput final : public RecordingOutput {
 public:
  FillingOutput(std::uint64_t budget, int* header_writes)
      : budget_(budget), header_writes_(header_writes) {}
  core::Result<void> writeAt(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    if (bytes.size() > budget_) return core::makeError(core::ErrorCode::kUnavailable, "disk full");
    budget_ -= bytes.size();
    if (offset == 0) ++*header_writes_;
    return core::okResult();
  }
  core::Result<void> sync() override { return core::okResult(); }

 private:
  std::uint64_t budget_;
  int* header_writes_;
};

TEST(RecordingFileTest, FailingWriteMarksTheRecordingFailed) {
  int header_writes = 0;
  auto file = RecordingFile::create(std::make_unique<FillingOutput>(44 + 4 * 5000, &header_writes));
  ASSERT_TRUE(file.ok());
  const auto frame = tone(1000, 160, 0);
  int ok_batches = 0;
  while ((*file)->appendFrames(frame, frame).ok()) ++ok_batches;
  EXPECT_EQ(ok_batches, 31);  // 31 × 160 frames fit in 5000
  EXPECT_TRUE((*file)->failed());
  EXPECT_EQ((*file)->frames(), 31u * 160);
  auto again = (*file)->appendFrames(frame, frame);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "disk full");
  EXPECT_FALSE((*file)->flush().ok());
  EXPECT_FALSE((*file)->finish().ok());
  EXPECT_FALSE((*file)->finished());
}

TEST(RecordingFileTest, HeaderIsRewrittenEverySecondOfAudio) {
  int header_writes = 0;
  auto file = RecordingFile::create(std::make_unique<FillingOutput>(1u << 30, &header_writes));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(header_writes, 1);
  const auto frame = tone(1000, 160, 0);
  for (int i = 0; i < 50 * 5; ++i) ASSERT_TRUE((*file)->appendFrames(frame, {}).ok());  // 5 s
  EXPECT_EQ(header_writes, 1 + 5);
  ASSERT_TRUE((*file)->flush().ok());
  EXPECT_EQ(header_writes, 6);  // nothing new to count
  ASSERT_TRUE((*file)->appendFrames(frame, {}).ok());
  ASSERT_TRUE((*file)->finish().ok());
  EXPECT_EQ(header_writes, 7);
  EXPECT_FALSE((*file)->appendFrames(frame, {}).ok());  // nothing after finish()
  EXPECT_FALSE((*file)->failed());
}

}  // namespace
}  // namespace sb::media
