#pragma once
// The one thread that writes call recordings to disk. Media threads hand over 1 s blocks
// (from CallRecorder) and never wait for the disk: open(), append() and close() only
// post a message to the writer's queue. The writer takes everything queued at once and
// writes it outside the lock, one RecordingFile write per block, so the header's sizes
// are current after every second of audio and a crash leaves a file repairRecordings()
// makes exact at the next start.
//
// A recording whose file cannot be created or written, or whose blocks would push the
// queue past queue_limit_bytes (a disk too slow to keep up), fails on its own: the
// failure handler is told once, its later blocks are dropped, and close() reports it.
// Other recordings and the call itself go on.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "media/recording_file.hpp"

namespace sb::media {

struct RecordingResult {
  bool ok = false;
  std::uint64_t frames = 0;  // frames on disk
  std::string error;         // empty when ok
  std::string path;
};

struct RecordingWriterOptions {
  std::size_t queue_limit_bytes = 64u << 20;  // audio queued and not yet written
  // Opens a recording's file (after its parent directories were created); empty:
  // openRecordingOutput(). Tests inject a failing disk here.
  std::function<core::Result<std::unique_ptr<RecordingOutput>>(const std::string& path)>
      open_output;
};

class RecordingWriter {
 public:
  using Handle = std::uint64_t;  // never 0
  // Called on the writer thread, once per failed recording.
  using FailureHandler = std::function<void(Handle, const std::string& error)>;
  using DoneHandler = std::function<void(RecordingResult)>;

  explicit RecordingWriter(RecordingWriterOptions options = {}, FailureHandler on_failure = {});
  // Writes everything queued, finishes every recording still open (its file is then
  // complete and valid; no done handler runs for it) and joins the thread.
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Starts a recording at `path`; the writer thread creates the parent directories and
  // the file. Thread-safe, never blocks on the disk.
  Handle open(std::string path);
  // Queues interleaved L/R samples (an even count). Never blocks: past queue_limit_bytes
  // the block is dropped and the recording fails ("writer queue full").
  void append(Handle h, std::vector<std::int16_t> interleaved);
  // Ends a recording: `done` runs on the writer thread after its last block was written
  // and the file finished (or with ok=false and the error of a failed recording).
  void close(Handle h, DoneHandler done);

  // Recordings opened and not yet closed (a close counts once the writer finished the
  // file, just before `done` runs): the live-object gauge.
  std::size_t openCount() const { return open_count_.load(); }
  std::uint64_t failedCount() const { return failed_count_.load(); }

 private:
  struct OpenCommand {
    Handle handle;
    std::string path;
  };
  struct AppendCommand {
    Handle handle;
    std::vector<std::int16_t> samples;
  };
  struct FailCommand {
    Handle handle;
    std::string error;
  };
  struct CloseCommand {
    Handle handle;
    DoneHandler done;
  };
  using Command = std::variant<OpenCommand, AppendCommand, FailCommand, CloseCommand>;

  // Writer thread only.
  struct Recording {
    std::string path;
    std::unique_ptr<RecordingFile> file;  // null once failed
    std::uint64_t frames = 0;
    std::string error;  // non-empty: failed
  };

  void post(Command command, std::size_t bytes);
  void run();
  void handle(OpenCommand& command);
  void handle(AppendCommand& command);
  void handle(FailCommand& command);
  void handle(CloseCommand& command);
  void fail(Handle h, Recording& recording, const std::string& error);
  void finishAll();

  const RecordingWriterOptions options_;
  const FailureHandler on_failure_;
  std::atomic<Handle> next_handle_{1};
  std::atomic<std::size_t> open_count_{0};
  std::atomic<std::uint64_t> failed_count_{0};

  std::mutex mutex_;  // guards the three members below
  std::condition_variable wake_;
  std::vector<Command> queue_;
  std::size_t queued_bytes_ = 0;  // audio in queue_ and in the batch being written
  bool stopping_ = false;

  std::unordered_map<Handle, Recording> recordings_;  // writer thread only
  std::thread thread_;  // last: starts once everything above exists
};

// At server start, before any recording is opened: repairRecording() on every *.wav
// under `dir` (recursively). Returns how many needed a repair. Files that are not our
// recordings or cannot be repaired are logged and skipped; a missing `dir` holds nothing
// to repair. An error only when `dir` cannot be listed.
core::Result<std::size_t> repairRecordings(const std::string& dir);

}  // namespace sb::media
