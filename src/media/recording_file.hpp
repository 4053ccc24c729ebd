#pragma once
// Call recordings on disk: one 16-bit PCM stereo 8 kHz WAV per answered call, customer
// on the left, agent on the right. Built to survive a crash of the server: the header's
// sizes are rewritten at least every second of audio, so a killed process leaves at most
// about a second of audio that the header does not yet count, and repairRecording() (run
// at startup) makes such a file exact again. A failing disk marks the recording failed
// and returns errors; it never throws and never takes the call down.
//
// This is the thin I/O edge of the recorder. It does not decide what goes into each
// channel: the caller (the bridge) aligns both sides in time and hands over frames in
// large batches, since every appendFrames() is one write.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sb::media {

inline constexpr int kRecordingSampleRate = 8000;
inline constexpr int kRecordingChannels = 2;
inline constexpr std::uint64_t kRecordingFrameBytes = 4;  // two 16-bit samples

// Interleaves two mono streams into stereo frames (left, right, left, right, …). The
// result has as many frames as the longer input; the shorter side is padded with
// silence.
std::vector<std::int16_t> interleaveStereo(std::span<const std::int16_t> left,
                                           std::span<const std::int16_t> right);

// Where a recording's bytes go: a file (openRecordingOutput) or, in tests, a fake that
// fails on demand.
class RecordingOutput {
 public:
  virtual ~RecordingOutput() = default;
  virtual core::Result<void> writeAt(std::uint64_t offset, std::span<const std::uint8_t> bytes) = 0;
  // Everything written so far is durable when this returns.
  virtual core::Result<void> sync() = 0;
};

// Creates (or truncates) `path` for writing with POSIX calls.
core::Result<std::unique_ptr<RecordingOutput>> openRecordingOutput(const std::string& path);

class RecordingFile {
 public:
  // The header is rewritten once this many frames were appended since its last update.
  static constexpr std::uint64_t kHeaderIntervalFrames = kRecordingSampleRate;

  // Opens `path` and writes a provisional header (zero frames).
  static core::Result<std::unique_ptr<RecordingFile>> create(const std::string& path);
  static core::Result<std::unique_ptr<RecordingFile>> create(
      std::unique_ptr<RecordingOutput> output);

  // Appends max(left.size(), right.size()) frames in one write, padding the shorter
  // side with silence. After a failure every call returns the first error again.
  core::Result<void> appendFrames(std::span<const std::int16_t> left,
                                  std::span<const std::int16_t> right);
  // The same from interleaved L/R samples (a partial last frame is ignored): no copy on
  // a little-endian machine.
  core::Result<void> appendInterleaved(std::span<const std::int16_t> samples);
  // Rewrites the header so that it counts every frame appended so far.
  core::Result<void> flush();
  // Writes the final header and syncs the file to disk. Nothing may be appended after.
  core::Result<void> finish();

  std::uint64_t frames() const { return frames_; }
  bool failed() const { return !error_.message.empty(); }
  bool finished() const { return finished_; }

  // Closes the file without a final header, exactly as a crash would leave it.
  ~RecordingFile() = default;
  RecordingFile(const RecordingFile&) = delete;
  RecordingFile& operator=(const RecordingFile&) = delete;

 private:
  explicit RecordingFile(std::unique_ptr<RecordingOutput> output) : output_(std::move(output)) {}
  core::Result<void> writeHeader();
  core::Result<void> fail(core::Error error);

  std::unique_ptr<RecordingOutput> output_;
  std::uint64_t frames_ = 0;
  std::uint64_t frames_in_header_ = 0;
  bool finished_ = false;
  core::Error error_;                  // empty message: no failure
  std::vector<std::int16_t> samples_;  // reused between appends
  std::vector<std::uint8_t> bytes_;
};

enum class RecordingRepairAction {
  kNone,         // the header already matched the file
  kFixedSizes,   // the RIFF and data sizes were rewritten from the file's length
  kWroteHeader,  // the file ended inside its header: a fresh empty header was written
};

struct RecordingRepair {
  RecordingRepairAction action = RecordingRepairAction::kNone;
  std::uint64_t frames = 0;           // audio frames the file holds now
  std::uint64_t truncated_bytes = 0;  // bytes of a partial frame cut off the end
};

// Makes a recording left by a crash playable: the header's sizes are set from the file's
// real length (a partial last frame is cut off). Only files with our own header layout
// are touched; anything else is kInvalidInput. I/O failures are kUnavailable.
core::Result<RecordingRepair> repairRecording(const std::string& path);

}  // namespace sb::media
