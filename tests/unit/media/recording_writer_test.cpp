#include "media/recording_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "media/wav.hpp"
#include "support/temp_dir.hpp"

namespace sb::media {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using Samples = std::vector<std::int16_t>;

Bytes readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::uint32_t le32(const Bytes& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

// A recording read back raw: what its header says and its interleaved samples.
struct StereoFile {
  bool parses = false;  // parseWav accepts it (every browser's decoder is at least as lax)
  std::uint16_t channels = 0;
  std::uint32_t header_frames = 0;
  Samples left;
  Samples right;
};

StereoFile readStereo(const fs::path& path) {
  const Bytes b = readFile(path);
  StereoFile f;
  if (b.size() < kPcm16WavHeaderSize) return f;
  f.parses = parseWav(b).ok();
  f.channels = static_cast<std::uint16_t>(b[22] | b[23] << 8);
  EXPECT_EQ(le32(b, 4), le32(b, 40) + 36) << path;
  f.header_frames = le32(b, 40) / 4;
  for (std::size_t at = kPcm16WavHeaderSize; at + 4 <= b.size(); at += 4) {
    f.left.push_back(static_cast<std::int16_t>(b[at] | b[at + 1] << 8));
    f.right.push_back(static_cast<std::int16_t>(b[at + 2] | b[at + 3] << 8));
  }
  return f;
}

// Interleaved frames [from, from + frames) of a recording whose left channel is `seed`
// plus the frame number and right channel its negation: distinct per recording and side.
Samples block(std::int16_t seed, std::size_t from, std::size_t frames) {
  Samples s;
  for (std::size_t i = from; i < from + frames; ++i) {
    const auto v = static_cast<std::int16_t>(seed + static_cast<std::int16_t>(i % 10'000));
    s.push_back(v);
    s.push_back(static_cast<std::int16_t>(-v));
  }
  return s;
}

// close() and wait for its result.
RecordingResult closeAndWait(RecordingWriter& writer, RecordingWriter::Handle h) {
  std::promise<RecordingResult> promise;
  auto future = promise.get_future();
  writer.close(h, [&promise](RecordingResult r) { promise.set_value(std::move(r)); });
  EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  return future.get();
}

// Records every failure reported (on the writer thread).
struct Failures {
  std::mutex mutex;
  std::vector<std::pair<RecordingWriter::Handle, std::string>> seen;
  RecordingWriter::FailureHandler handler() {
    return [this](RecordingWriter::Handle h, const std::string& error) {
      std::lock_guard lock(mutex);
      seen.emplace_back(h, error);
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }
};

TEST(RecordingWriterTest, TwoRecordingsFromTwoThreadsRoundTrip) {
  testing::TempDir dir;
  Failures failures;
  RecordingWriter writer({}, failures.handler());
  const std::size_t kBlocks = 3;
  const std::size_t kTail = 1234;

  auto record = [&](std::int16_t seed, const fs::path& path) {
    const auto h = writer.open(path.string());
    EXPECT_NE(h, 0u);
    for (std::size_t b = 0; b < kBlocks; ++b) writer.append(h, block(seed, b * 8000, 8000));
    writer.append(h, block(seed, kBlocks * 8000, kTail));
    return closeAndWait(writer, h);
  };
  const fs::path a = dir.path() / "2026" / "01" / "a.wav";  // parent dirs are created
  const fs::path b = dir.path() / "2026" / "02" / "b.wav";
  auto ra = std::async(std::launch::async, record, std::int16_t{100}, a);
  auto rb = std::async(std::launch::async, record, std::int16_t{-20000}, b);
  const RecordingResult result_a = ra.get();
  const RecordingResult result_b = rb.get();

  const std::size_t frames = kBlocks * 8000 + kTail;
  for (const auto& [result, path, seed] : {std::tuple{result_a, a, std::int16_t{100}},
                                           std::tuple{result_b, b, std::int16_t{-20000}}}) {
    EXPECT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.frames, frames);
    EXPECT_EQ(result.path, path.string());
    EXPECT_TRUE(result.error.empty());
    const StereoFile file = readStereo(path);
    EXPECT_TRUE(file.parses);
    EXPECT_EQ(file.channels, 2);
    EXPECT_EQ(file.header_frames, frames);
    const Samples expected = block(seed, 0, frames);
    Samples left, right;
    for (std::size_t i = 0; i < expected.size(); i += 2) {
      left.push_back(expected[i]);
      right.push_back(expected[i + 1]);
    }
    EXPECT_EQ(file.left, left) << path;
    EXPECT_EQ(file.right, right) << path;
  }
  EXPECT_EQ(writer.openCount(), 0u);
  EXPECT_EQ(writer.failedCount(), 0u);
  EXPECT_EQ(failures.count(), 0u);
}

TEST(RecordingWriterTest, UncreatableFileFailsOnlyThatRecording) {
  testing::TempDir dir;
  const fs::path blocker = dir.write("blocker", "a regular file, not a directory");
  Failures failures;
  RecordingWriter writer({}, failures.handler());

  const auto bad = writer.open((blocker / "calls" / "bad.wav").string());
  const auto good = writer.open((dir.path() / "good.wav").string());
  EXPECT_NE(bad, good);
  EXPECT_EQ(writer.openCount(), 2u);
  for (int i = 0; i < 3; ++i) {
    writer.append(bad, block(1, 0, 8000));  // dropped
    writer.append(good, block(2, static_cast<std::size_t>(i) * 8000, 8000));
  }
  const RecordingResult bad_result = closeAndWait(writer, bad);
  const RecordingResult good_result = closeAndWait(writer, good);

  EXPECT_FALSE(bad_result.ok);
  EXPECT_FALSE(bad_result.error.empty());
  EXPECT_EQ(bad_result.frames, 0u);
  EXPECT_TRUE(good_result.ok) << good_result.error;
  EXPECT_EQ(good_result.frames, 24000u);
  EXPECT_EQ(readStereo(dir.path() / "good.wav").header_frames, 24000u);

  ASSERT_EQ(failures.count(), 1u);  // once, however many blocks were dropped
  EXPECT_EQ(failures.seen[0].first, bad);
  EXPECT_EQ(failures.seen[0].second, bad_result.error);
  EXPECT_EQ(writer.failedCount(), 1u);
  EXPECT_EQ(writer.openCount(), 0u);
}

// A disk that fails after `budget` bytes (or blocks every write until opened).
class FakeDisk {
 public:
  explicit FakeDisk(std::uint64_t budget) : budget_(budget) {}

  std::function<core::Result<std::unique_ptr<RecordingOutput>>(const std::string&)> opener() {
    return [this](const std::string& path) -> core::Result<std::unique_ptr<RecordingOutput>> {
      if (fs::path(path).filename() == "real.wav") return openRecordingOutput(path);
      return std::unique_ptr<RecordingOutput>(std::make_unique<Output>(*this));
    };
  }
  void hold() {
    gate_ = std::promise<void>();
    held_ = gate_.get_future().share();
  }
  void release() { gate_.set_value(); }
  std::uint64_t written() const { return written_.load(); }

 private:
  class Output final : public RecordingOutput {
   public:
    explicit Output(FakeDisk& disk) : disk_(disk) {}
    core::Result<void> writeAt(std::uint64_t, std::span<const std::uint8_t> bytes) override {
      if (disk_.held_.valid()) disk_.held_.wait();
      if (disk_.written_ + bytes.size() > disk_.budget_) {
        return core::makeError(core::ErrorCode::kUnavailable, "recording write failed: EIO");
      }
      disk_.written_ += bytes.size();
      return core::okResult();
    }
    core::Result<void> sync() override { return core::okResult(); }

   private:
    FakeDisk& disk_;
  };

  std::uint64_t budget_;
  std::atomic<std::uint64_t> written_{0};
  std::promise<void> gate_;
  std::shared_future<void> held_;
};

TEST(RecordingWriterTest, FailingDiskMidRecordingFailsItOnceAndKeepsTheFramesWritten) {
  testing::TempDir dir;
  // Room for the header, two 1 s blocks and their header refreshes, not a third block.
  FakeDisk disk(44 + 2 * (32000 + 44) + 1000);
  Failures failures;
  RecordingWriter writer({.open_output = disk.opener()}, failures.handler());
  const auto h = writer.open((dir.path() / "fake.wav").string());
  const auto other = writer.open((dir.path() / "real.wav").string());
  for (std::size_t b = 0; b < 5; ++b) {
    writer.append(h, block(7, b * 8000, 8000));
    writer.append(other, block(8, b * 8000, 8000));
  }
  const RecordingResult result = closeAndWait(writer, h);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("EIO"), std::string::npos) << result.error;
  EXPECT_EQ(result.frames, 16000u);
  EXPECT_EQ(failures.count(), 1u);
  EXPECT_EQ(writer.failedCount(), 1u);

  const RecordingResult other_result = closeAndWait(writer, other);
  EXPECT_TRUE(other_result.ok) << other_result.error;
  EXPECT_EQ(other_result.frames, 40000u);
  EXPECT_EQ(readStereo(dir.path() / "real.wav").header_frames, 40000u);
}

TEST(RecordingWriterTest, QueueOverTheLimitFailsTheRecordingAndKeepsWhatWasWritten) {
  testing::TempDir dir;
  FakeDisk slow(1u << 30);
  slow.hold();  // the writer thread hangs in the first write until released
  Failures failures;
  RecordingWriter writer({.queue_limit_bytes = 100'000, .open_output = slow.opener()},
                         failures.handler());
  const auto h = writer.open((dir.path() / "slow.wav").string());
  for (std::size_t b = 0; b < 3; ++b) writer.append(h, block(3, b * 8000, 8000));  // 96000 B
  EXPECT_EQ(failures.count(), 0u);
  writer.append(h, block(3, 24000, 8000));  // 128000 B: over the limit, never blocks
  writer.append(h, block(3, 32000, 8000));
  slow.release();
  const RecordingResult result = closeAndWait(writer, h);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "writer queue full");
  EXPECT_EQ(result.frames, 24000u);  // the blocks queued before the limit are on disk
  EXPECT_EQ(slow.written(), 44u + 3 * (32000u + 44u));  // the header is current
  ASSERT_EQ(failures.count(), 1u);
  EXPECT_EQ(failures.seen[0].second, "writer queue full");
  EXPECT_EQ(writer.failedCount(), 1u);

  // The queue drained: a new recording is fine.
  const auto next = writer.open((dir.path() / "next.wav").string());
  writer.append(next, block(4, 0, 8000));
  EXPECT_TRUE(closeAndWait(writer, next).ok);
}

TEST(RecordingWriterTest, DestructorFinishesOpenRecordings) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "open.wav";
  {
    RecordingWriter writer;
    const auto h = writer.open(path.string());
    writer.append(h, block(9, 0, 8000));
    writer.append(h, block(9, 8000, 4000));  // after this the header alone says 8000
    EXPECT_EQ(writer.openCount(), 1u);
  }
  const StereoFile file = readStereo(path);
  EXPECT_TRUE(file.parses);
  EXPECT_EQ(file.header_frames, 12000u);
  EXPECT_EQ(file.left.size(), 12000u);
}

TEST(RecordingWriterTest, ClosingAnUnknownHandleReportsIt) {
  RecordingWriter writer;
  const RecordingResult result = closeAndWait(writer, 12345);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "unknown recording");
  writer.append(12345, block(1, 0, 160));  // ignored
  EXPECT_EQ(writer.failedCount(), 0u);
}

TEST(RecordingWriterTest, EmptyRecordingIsAValidFile) {
  testing::TempDir dir;
  RecordingWriter writer;
  const auto h = writer.open((dir.path() / "empty.wav").string());
  writer.append(h, {});
  const RecordingResult result = closeAndWait(writer, h);
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.frames, 0u);
  const StereoFile file = readStereo(dir.path() / "empty.wav");
  EXPECT_TRUE(file.parses);
  EXPECT_EQ(file.header_frames, 0u);
}

TEST(RepairRecordingsTest, RepairsCrashedFilesUnderTheDirectoryTree) {
  testing::TempDir dir;
  const fs::path nested = dir.path() / "2026" / "11";
  fs::create_directories(nested);

  {  // finished: nothing to do
    auto good = RecordingFile::create((dir.path() / "good.wav").string());
    ASSERT_TRUE(good.ok());
    ASSERT_TRUE((*good)->appendFrames(Samples(100, 1), Samples(100, 2)).ok());
    ASSERT_TRUE((*good)->finish().ok());
  }
  {  // crashed before its first header refresh: the header says 0 frames
    auto crashed = RecordingFile::create((nested / "crashed.wav").string());
    ASSERT_TRUE(crashed.ok());
    ASSERT_TRUE((*crashed)->appendFrames(Samples(4000, 5), Samples(4000, -5)).ok());
  }
  // Crashed inside its header.
  const auto header = pcm16WavHeader(2, 8000, 0);
  writeFile(nested / "cut.wav", Bytes(header.begin(), header.begin() + 20));
  // Not ours, and not a recording at all: left alone.
  writeFile(dir.path() / "prompt.wav", Bytes{'n', 'o', 't', ' ', 'w', 'a', 'v'});
  writeFile(nested / "notes.txt", Bytes(10, 'x'));

  auto repaired = repairRecordings(dir.str());
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, 2u);

  EXPECT_EQ(readStereo(dir.path() / "good.wav").header_frames, 100u);
  const StereoFile crashed = readStereo(nested / "crashed.wav");
  EXPECT_TRUE(crashed.parses);
  EXPECT_EQ(crashed.header_frames, 4000u);
  EXPECT_EQ(crashed.right.at(3999), -5);
  const StereoFile cut = readStereo(nested / "cut.wav");
  EXPECT_TRUE(cut.parses);
  EXPECT_EQ(cut.header_frames, 0u);
  EXPECT_EQ(readFile(dir.path() / "prompt.wav").size(), 7u);

  auto again = repairRecordings(dir.str());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST(RepairRecordingsTest, MissingDirectoryHasNothingToRepair) {
  testing::TempDir dir;
  auto repaired = repairRecordings((dir.path() / "never-recorded").string());
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(*repaired, 0u);
}

}  // namespace
}  // namespace sb::media
