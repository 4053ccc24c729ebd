#include "media/recording_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "media/detail/fd.hpp"
#include "media/wav.hpp"

namespace sb::media {
namespace {

using core::ErrorCode;
using core::makeError;

core::Error ioError(const std::string& what, int err) {
  return makeError(ErrorCode::kUnavailable, what + ": " + std::strerror(err));
}

using detail::Fd;

core::Result<void> writeAllAt(int fd, std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ioError("recording write failed", errno);
    }
    if (n == 0) return makeError(ErrorCode::kUnavailable, "recording write made no progress");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return core::okResult();
}

class PosixRecordingOutput final : public RecordingOutput {
 public:
  explicit PosixRecordingOutput(int fd) : fd_(fd) {}
  core::Result<void> writeAt(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    return writeAllAt(fd_.get(), offset, bytes);
  }
  core::Result<void> sync() override {
    if (::fsync(fd_.get()) != 0 && errno != EINVAL) return ioError("recording fsync failed", errno);
    return core::okResult();
  }

 private:
  Fd fd_;
};

std::array<std::uint8_t, kPcm16WavHeaderSize> recordingHeader(std::uint64_t frames) {
  return pcm16WavHeader(kRecordingChannels, kRecordingSampleRate, frames * kRecordingFrameBytes);
}

// Our header with its two size fields (bytes 4..7 and 40..43) ignored; `prefix` may be
// shorter than a header (a file cut inside it).
bool hasRecordingLayout(std::span<const std::uint8_t> prefix) {
  const auto expected = recordingHeader(0);
  for (std::size_t i = 0; i < prefix.size() && i < expected.size(); ++i) {
    const bool size_field = (i >= 4 && i < 8) || i >= 40;
    if (!size_field && prefix[i] != expected[i]) return false;
  }
  return true;
}

}  // namespace

std::vector<std::int16_t> interleaveStereo(std::span<const std::int16_t> left,
                                           std::span<const std::int16_t> right) {
  const std::size_t frames = std::max(left.size(), right.size());
  std::vector<std::int16_t> out(frames * 2, 0);
  for (std::size_t i = 0; i < left.size(); ++i) out[2 * i] = left[i];
  for (std::size_t i = 0; i < right.size(); ++i) out[2 * i + 1] = right[i];
  return out;
}

core::Result<std::unique_ptr<RecordingOutput>> openRecordingOutput(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return ioError("cannot create recording " + path, errno);
  return std::unique_ptr<RecordingOutput>(std::make_unique<PosixRecordingOutput>(fd));
}

core::Result<std::unique_ptr<RecordingFile>> RecordingFile::create(const std::string& path) {
  auto output = openRecordingOutput(path);
  if (!output.ok()) return output.error();
  return create(std::move(*output));
}

core::Result<std::unique_ptr<RecordingFile>> RecordingFile::create(
    std::unique_ptr<RecordingOutput> output) {
  std::unique_ptr<RecordingFile> file(new RecordingFile(std::move(output)));
  auto written = file->writeHeader();
  if (!written.ok()) return written.error();
  return file;
}

core::Result<void> RecordingFile::fail(core::Error error) {
  if (error.message.empty()) error.message = "recording failed";
  error_ = error;
  return error;
}

core::Result<void> RecordingFile::writeHeader() {
  const auto header = recordingHeader(frames_);
  auto written = output_->writeAt(0, header);
  if (!written.ok()) return fail(written.error());
  frames_in_header_ = frames_;
  return core::okResult();
}

core::Result<void> RecordingFile::appendFrames(std::span<const std::int16_t> left,
                                               std::span<const std::int16_t> right) {
  if (std::max(left.size(), right.size()) == 0) return failed() ? core::Result<void>(error_) : core::okResult();
  samples_ = interleaveStereo(left, right);
  return appendInterleaved(samples_);
}

core::Result<void> RecordingFile::appendInterleaved(std::span<const std::int16_t> samples) {
  if (failed()) return error_;
  if (finished_) return makeError(ErrorCode::kInternal, "recording already finished");
  const std::uint64_t count = samples.size() / kRecordingChannels;
  if (count == 0) return core::okResult();
  samples = samples.first(count * kRecordingChannels);  // whole frames only
  if ((frames_ + count) * kRecordingFrameBytes > kMaxWavDataBytes) {
    return fail(makeError(ErrorCode::kUnavailable, "recording reached the 4 GiB WAV limit"));
  }
  std::span<const std::uint8_t> bytes;
  if constexpr (std::endian::native == std::endian::little) {
    // Already the file's byte order: written straight from the caller's block.
    bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(samples.data()),
                                          samples.size_bytes());
  } else {
    bytes_.resize(samples.size() * 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const auto u = static_cast<std::uint16_t>(samples[i]);
      bytes_[2 * i] = static_cast<std::uint8_t>(u);
      bytes_[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
    }
    bytes = bytes_;
  }
  auto written = output_->writeAt(kPcm16WavHeaderSize + frames_ * kRecordingFrameBytes, bytes);
  if (!written.ok()) return fail(written.error());
  frames_ += count;
  if (frames_ - frames_in_header_ >= kHeaderIntervalFrames) return writeHeader();
  return core::okResult();
}

core::Result<void> RecordingFile::flush() {
  if (failed()) return error_;
  if (frames_ == frames_in_header_) return core::okResult();
  return writeHeader();
}

core::Result<void> RecordingFile::finish() {
  if (failed()) return error_;
  if (finished_) return core::okResult();
  auto header = writeHeader();
  if (!header.ok()) return header;
  auto synced = output_->sync();
  if (!synced.ok()) return fail(synced.error());
  finished_ = true;
  return core::okResult();
}

core::Result<RecordingRepair> repairRecording(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) return ioError("cannot open recording " + path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ioError("cannot stat recording " + path, errno);
  if (!S_ISREG(st.st_mode)) {
    return makeError(ErrorCode::kInvalidInput, path + " is not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);

  std::array<std::uint8_t, kPcm16WavHeaderSize> current{};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, current.size()));
  std::size_t have = 0;
  while (have < want) {
    const ssize_t n =
        ::pread(fd.get(), current.data() + have, want - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read recording " + path, errno);
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  if (!hasRecordingLayout(std::span(current).first(have))) {
    return makeError(ErrorCode::kInvalidInput, path + " is not a Switchboard recording");
  }

  RecordingRepair repair;
  std::uint64_t data_bytes = 0;
  std::uint64_t keep = kPcm16WavHeaderSize;
  if (have < kPcm16WavHeaderSize) {
    repair.action = RecordingRepairAction::kWroteHeader;
  } else {
    data_bytes = size - kPcm16WavHeaderSize;
    repair.truncated_bytes = data_bytes % kRecordingFrameBytes;
    data_bytes -= repair.truncated_bytes;
    // Past the 32-bit limit the header can only count the first 4 GiB.
    data_bytes = std::min(data_bytes, kMaxWavDataBytes - kMaxWavDataBytes % kRecordingFrameBytes);
    keep = size - repair.truncated_bytes;
  }
  repair.frames = data_bytes / kRecordingFrameBytes;
  const auto header = recordingHeader(repair.frames);
  if (repair.action == RecordingRepairAction::kNone &&
      (repair.truncated_bytes != 0 || !std::equal(header.begin(), header.end(), current.begin()))) {
    repair.action = RecordingRepairAction::kFixedSizes;
  }
  if (repair.action == RecordingRepairAction::kNone) return repair;

  if (keep != size && ::ftruncate(fd.get(), static_cast<off_t>(keep)) != 0) {
    return ioError("cannot truncate recording " + path, errno);
  }
  auto written = writeAllAt(fd.get(), 0, header);
  if (!written.ok()) return written.error();
  if (::fsync(fd.get()) != 0) return ioError("cannot sync recording " + path, errno);
  return repair;
}

}  // namespace sb::media
