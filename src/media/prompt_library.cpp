#include "media/prompt_library.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "media/detail/fd.hpp"
#include "media/g711.hpp"
#include "media/resampler.hpp"
#include "media/wav.hpp"

namespace sb::media {
namespace {

using core::ErrorCode;
using core::makeError;

inline constexpr std::size_t kMaxPathPart = 64;

core::Error ioError(const std::string& what, int err) {
  return makeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                   what + ": " + std::strerror(err));
}

using detail::Fd;

core::Result<std::vector<std::uint8_t>> readFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ioError("cannot open prompt " + path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ioError("cannot stat prompt " + path, errno);
  if (!S_ISREG(st.st_mode)) {
    return makeError(ErrorCode::kInvalidInput, "prompt " + path + " is not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxPromptFileBytes) {
    return makeError(ErrorCode::kInvalidInput, "prompt " + path + " is too large (" +
                                                   std::to_string(st.st_size) + " bytes, at most " +
                                                   std::to_string(kMaxPromptFileBytes) + ")");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read prompt " + path, errno);
    if (n == 0) break;  // the file shrank while we read it: parse what is there
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

bool isRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A name used as one path component: never empty, never a separator or a way up.
core::Result<void> checkPathPart(std::string_view what, std::string_view part) {
  const auto bad = [&](const char* why) {
    return makeError(
        ErrorCode::kInvalidInput,
        std::string(what) + " \"" + std::string(part.substr(0, kMaxPathPart)) + "\" " + why);
  };
  if (part.empty()) return bad("is empty");
  if (part.size() > kMaxPathPart) return bad("is too long");
  for (const char c : part) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return bad("may only hold A-Z a-z 0-9 _ - .");
  }
  if (part.find("..") != std::string_view::npos || part == ".") return bad("is not a file name");
  return core::okResult();
}

std::string requestKey(std::string_view org, std::string_view language, std::string_view name) {
  std::string key;
  key.reserve(org.size() + language.size() + name.size() + 2);
  key.append(org).push_back('\0');
  key.append(language).push_back('\0');
  key.append(name);
  return key;
}

}  // namespace

core::Result<PromptRef> loadPrompt(const std::string& path, std::string name) {
  auto bytes = readFile(path);
  if (!bytes) return bytes.error();
  auto wav = parseWav(*bytes);
  if (!wav) {
    return makeError(ErrorCode::kInvalidInput, "prompt " + path + ": " + wav.error().message);
  }
  const MonoAudio& audio = wav->audio;
  if (audio.samples.empty()) {
    return makeError(ErrorCode::kInvalidInput, "prompt " + path + " holds no audio");
  }
  std::vector<std::int16_t> converted;
  std::span<const std::int16_t> samples = audio.samples;
  if (audio.sample_rate != kSampleRate) {
    converted = resample(audio.samples, audio.sample_rate, kSampleRate);
    samples = converted;
  }
  auto prompt = std::make_shared<Prompt>();
  prompt->name = std::move(name);
  prompt->ulaw.resize(samples.size());
  prompt->alaw.resize(samples.size());
  encodeUlaw(samples, prompt->ulaw);
  encodeAlaw(samples, prompt->alaw);
  return PromptRef(std::move(prompt));
}

PromptLibrary::PromptLibrary(std::string defaults_dir, std::string custom_dir)
    : defaults_dir_(std::move(defaults_dir)), custom_dir_(std::move(custom_dir)) {}

core::Result<PromptRef> PromptLibrary::get(std::string_view org, std::string_view language,
                                           std::string_view name) {
  if (auto ok = checkPathPart("language", language); !ok) return ok.error();
  return find(org, language, name);
}

core::Result<PromptRef> PromptLibrary::sound(std::string_view org, std::string_view name) {
  return find(org, {}, name);
}

// An empty `language` skips the two language directories (sounds of no language).
core::Result<PromptRef> PromptLibrary::find(std::string_view org, std::string_view language,
                                            std::string_view name) {
  if (auto ok = checkPathPart("org", org); !ok) return ok.error();
  if (auto ok = checkPathPart("prompt name", name); !ok) return ok.error();

  const std::string key = requestKey(org, language, name);
  std::uint64_t generation = 0;
  {
    const std::lock_guard lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) return it->second;
    generation = generation_;
  }

  const std::string file = std::string(name) + ".wav";
  std::vector<std::string> candidates;
  if (!custom_dir_.empty()) {
    const std::string org_dir = custom_dir_ + "/" + std::string(org) + "/";
    if (!language.empty()) candidates.push_back(org_dir + std::string(language) + "/" + file);
    candidates.push_back(org_dir + file);
  }
  if (!language.empty()) {
    candidates.push_back(defaults_dir_ + "/" + std::string(language) + "/" + file);
  }
  candidates.push_back(defaults_dir_ + "/common/" + file);

  for (const std::string& path : candidates) {
    if (!isRegularFile(path)) continue;
    auto prompt = loadOnce(path, name);
    if (!prompt) return prompt;
    const std::lock_guard lock(mutex_);
    if (generation == generation_) requests_[key] = *prompt;
    return prompt;
  }
  std::string message = "no prompt \"" + std::string(name) + "\"";
  if (!language.empty()) message += " in language \"" + std::string(language) + "\"";
  message += " for org \"" + std::string(org) + "\" (looked at";
  for (const std::string& path : candidates) message += " " + path;
  return makeError(ErrorCode::kNotFound, message + ")");
}

core::Result<PromptRef> PromptLibrary::loadOnce(const std::string& path, std::string_view name) {
  std::shared_ptr<std::mutex> loading;
  std::uint64_t generation = 0;
  {
    const std::lock_guard lock(mutex_);
    if (auto it = files_.find(path); it != files_.end()) return it->second;
    auto& slot = loading_[path];
    if (!slot) slot = std::make_shared<std::mutex>();
    loading = slot;
    generation = generation_;
  }
  const std::lock_guard load_lock(*loading);
  {
    const std::lock_guard lock(mutex_);
    if (auto it = files_.find(path); it != files_.end()) return it->second;  // loaded meanwhile
  }
  auto prompt = loadPrompt(path, std::string(name));
  const std::lock_guard lock(mutex_);
  if (auto it = loading_.find(path); it != loading_.end() && it->second == loading) {
    loading_.erase(it);
  }
  if (prompt && generation == generation_) files_[path] = *prompt;
  return prompt;
}

void PromptLibrary::invalidate(std::string_view org) {
  const std::string request_prefix = std::string(org) + '\0';
  const std::string file_prefix = custom_dir_ + "/" + std::string(org) + "/";
  const std::lock_guard lock(mutex_);
  ++generation_;
  std::erase_if(requests_,
                [&](const auto& entry) { return entry.first.starts_with(request_prefix); });
  if (!custom_dir_.empty()) {
    std::erase_if(files_, [&](const auto& entry) { return entry.first.starts_with(file_prefix); });
  }
}

std::size_t PromptLibrary::cachedCount() const {
  const std::lock_guard lock(mutex_);
  return files_.size();
}

std::vector<std::string> PromptLibrary::numberNames(int n, std::string_view language) {
  std::vector<std::string> names;
  if (n < 1 || n > 999) return names;
  const auto num = [&](int value) { names.push_back("num_" + std::to_string(value)); };
  const int hundreds = n / 100;
  const int rest = n % 100;
  if (language == "en") {
    // "two hundred thirty five": the digit, "hundred", then 1..19 or a ten and a digit.
    if (hundreds > 0) {
      num(hundreds);
      names.emplace_back("num_hundred");
    }
    if (rest >= 20) {
      num(rest / 10 * 10);
      if (rest % 10 != 0) num(rest % 10);
    } else if (rest > 0) {
      num(rest);
    }
  } else if (language == "ko") {
    // Sino-Korean, 이백삼십오: a multiplier digit is said only above one (백, not 일백).
    const int tens = rest / 10;
    const int units = rest % 10;
    if (hundreds > 1) num(hundreds);
    if (hundreds > 0) num(100);
    if (tens > 1) num(tens);
    if (tens > 0) num(10);
    if (units > 0) num(units);
  }
  return names;
}

}  // namespace sb::media
