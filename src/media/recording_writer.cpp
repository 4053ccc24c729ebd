#include "media/recording_writer.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

#include "core/log.hpp"

namespace sb::media {
namespace {

namespace fs = std::filesystem;

constexpr const char* kQueueFull = "writer queue full";

core::Result<std::unique_ptr<RecordingFile>> createRecording(const RecordingWriterOptions& options,
                                                             const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      return core::makeError(core::ErrorCode::kUnavailable,
                             "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }
  if (!options.open_output) return RecordingFile::create(path);
  auto output = options.open_output(path);
  if (!output.ok()) return output.error();
  return RecordingFile::create(std::move(*output));
}

}  // namespace

RecordingWriter::RecordingWriter(RecordingWriterOptions options, FailureHandler on_failure)
    : options_(std::move(options)),
      on_failure_(std::move(on_failure)),
      thread_([this] { run(); }) {}

RecordingWriter::~RecordingWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

RecordingWriter::Handle RecordingWriter::open(std::string path) {
  const Handle h = next_handle_.fetch_add(1);
  open_count_.fetch_add(1);
  post(OpenCommand{h, std::move(path)}, 0);
  return h;
}

void RecordingWriter::append(Handle h, std::vector<std::int16_t> interleaved) {
  if (interleaved.empty()) return;
  const std::size_t bytes = interleaved.size() * sizeof(std::int16_t);
  post(AppendCommand{h, std::move(interleaved)}, bytes);
}

void RecordingWriter::close(Handle h, DoneHandler done) {
  post(CloseCommand{h, std::move(done)}, 0);
}

void RecordingWriter::post(Command command, std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (bytes > 0 && queued_bytes_ + bytes > options_.queue_limit_bytes) {
      // The disk does not keep up: give up this recording rather than grow without bound
      // or make the media thread wait. Its block is dropped here, outside the lock.
      const Handle h = std::get<AppendCommand>(command).handle;
      queue_.emplace_back(FailCommand{h, kQueueFull});
    } else {
      queued_bytes_ += bytes;
      queue_.push_back(std::move(command));
    }
  }
  wake_.notify_one();
}

void RecordingWriter::run() {
  std::vector<Command> batch;
  std::size_t written_bytes = 0;  // audio of the last batch, still counted in queued_bytes_
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_bytes_ -= written_bytes;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything is written
      batch.swap(queue_);
    }
    written_bytes = 0;
    for (Command& command : batch) {
      if (const auto* append = std::get_if<AppendCommand>(&command)) {
        written_bytes += append->samples.size() * sizeof(std::int16_t);
      }
      std::visit([this](auto& c) { handle(c); }, command);
    }
    batch.clear();  // frees the blocks outside the lock
  }
  finishAll();
}

void RecordingWriter::handle(OpenCommand& command) {
  Recording& recording = recordings_[command.handle];
  recording.path = std::move(command.path);
  auto file = createRecording(options_, recording.path);
  if (!file.ok()) {
    fail(command.handle, recording, file.error().message);
    return;
  }
  recording.file = std::move(*file);
}

void RecordingWriter::handle(AppendCommand& command) {
  const auto it = recordings_.find(command.handle);
  if (it == recordings_.end() || it->second.file == nullptr) return;  // unknown or failed
  Recording& recording = it->second;
  auto written = recording.file->appendInterleaved(command.samples);
  recording.frames = recording.file->frames();
  if (!written.ok()) fail(command.handle, recording, written.error().message);
}

void RecordingWriter::handle(FailCommand& command) {
  const auto it = recordings_.find(command.handle);
  if (it == recordings_.end()) return;
  Recording& recording = it->second;
  if (recording.file != nullptr) {
    // The disk works, it is only slow: make what was written exact and playable.
    (void)recording.file->flush();
  }
  fail(command.handle, recording, command.error);
}

void RecordingWriter::handle(CloseCommand& command) {
  RecordingResult result;
  const auto it = recordings_.find(command.handle);
  if (it == recordings_.end()) {
    result.error = "unknown recording";
    if (command.done) command.done(std::move(result));
    return;
  }
  Recording& recording = it->second;
  if (recording.file != nullptr) {
    auto finished = recording.file->finish();
    if (!finished.ok()) fail(command.handle, recording, finished.error().message);
  }
  result.ok = recording.error.empty();
  result.frames = recording.frames;
  result.error = std::move(recording.error);
  result.path = std::move(recording.path);
  recordings_.erase(it);
  open_count_.fetch_sub(1);
  if (command.done) command.done(std::move(result));
}

void RecordingWriter::fail(Handle h, Recording& recording, const std::string& error) {
  if (!recording.error.empty()) return;  // told once
  recording.error = error.empty() ? "recording failed" : error;
  recording.file.reset();
  failed_count_.fetch_add(1);
  core::logWarn("recording failed",
                {{"recording", h}, {"path", recording.path}, {"error", recording.error}});
  if (on_failure_) on_failure_(h, recording.error);
}

void RecordingWriter::finishAll() {
  for (auto& [h, recording] : recordings_) {
    if (recording.file != nullptr) {
      auto finished = recording.file->finish();
      if (!finished.ok()) fail(h, recording, finished.error().message);
    }
    open_count_.fetch_sub(1);
  }
  recordings_.clear();
}

core::Result<std::size_t> repairRecordings(const std::string& dir) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (ec) {
    return core::makeError(core::ErrorCode::kUnavailable,
                           "cannot list recordings in " + dir + ": " + ec.message());
  }
  if (!exists) return std::size_t{0};

  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  std::size_t repaired = 0;
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || it->path().extension() != ".wav") continue;
    const std::string path = it->path().string();
    auto repair = repairRecording(path);
    if (!repair.ok()) {
      core::logWarn("recording not repaired", {{"path", path}, {"error", repair.error().message}});
      continue;
    }
    if (repair->action == RecordingRepairAction::kNone) continue;
    ++repaired;
    core::logInfo("recording repaired",
                  {{"path", path},
                   {"frames", repair->frames},
                   {"truncated_bytes", repair->truncated_bytes},
                   {"header_rewritten", repair->action == RecordingRepairAction::kWroteHeader}});
  }
  if (ec) {
    return core::makeError(core::ErrorCode::kUnavailable,
                           "cannot list recordings in " + dir + ": " + ec.message());
  }
  return repaired;
}

}  // namespace sb::media
