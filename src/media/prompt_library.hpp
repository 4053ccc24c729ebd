#pragma once
// Voice prompts and hold sound: WAV files of any rate, read and converted to 8 kHz G.711
// once, then shared read-only by every call (docs/prompts.md). The defaults are
// generated at build time (tools/make-prompts); an org overrides any prompt by dropping
// its own file into its directory under the custom root.
//
// This is an I/O edge (it reads files), used when a call starts a prompt, never per
// frame: the frames come from PromptPlayer, which only reads the immutable Prompt.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "media/media_types.hpp"

namespace sb::media {

// One prompt at 8 kHz in both codecs, so that a leg never converts while it plays.
// Immutable once loaded; shared by all calls.
struct Prompt {
  std::string name;
  std::vector<std::uint8_t> ulaw, alaw;  // the same samples, one byte each

  std::span<const std::uint8_t> encoded(Codec codec) const {
    return codec == Codec::kPcmu ? std::span<const std::uint8_t>(ulaw)
                                 : std::span<const std::uint8_t>(alaw);
  }
  std::size_t samples() const { return ulaw.size(); }
};
using PromptRef = std::shared_ptr<const Prompt>;

// Files larger than this are refused before reading (ten minutes of 48 kHz stereo
// 24-bit is 173 MB; no prompt or hold sound needs that much).
inline constexpr std::uint64_t kMaxPromptFileBytes = 64ull << 20;

// Reads any WAV parseWav accepts, at any rate, and converts it to 8 kHz μ-law and
// A-law. A missing file is kNotFound, a failed read kUnavailable, an oversized,
// unparseable or empty one kInvalidInput; the message names the path.
core::Result<PromptRef> loadPrompt(const std::string& path, std::string name);

// Finds, loads and caches prompts. Thread-safe: several media threads may ask at once;
// a file is read and converted once, and a request seen before is answered from memory
// without touching the file system.
class PromptLibrary {
 public:
  // `defaults_dir` holds <language>/<name>.wav and common/<name>.wav (the build's
  // prompts directory); `custom_dir` holds <org>/[<language>/]<name>.wav and may be
  // empty (no org overrides).
  PromptLibrary(std::string defaults_dir, std::string custom_dir);

  // The first file that exists of
  //   <custom>/<org>/<language>/<name>.wav, <custom>/<org>/<name>.wav,
  //   <defaults>/<language>/<name>.wav, <defaults>/common/<name>.wav.
  // None: kNotFound. The first that exists is the one used: if it is broken, that is an
  // error (naming the file), not a silent fallback to the default. org, language and
  // name are path parts: each must be 1..64 of [A-Za-z0-9_.-] and hold no "..", or the
  // answer is kInvalidInput and no file is looked at.
  core::Result<PromptRef> get(std::string_view org, std::string_view language,
                              std::string_view name);
  // A sound of no language ("hold", "ringback"): <custom>/<org>/<name>.wav, else
  // <defaults>/common/<name>.wav.
  core::Result<PromptRef> sound(std::string_view org, std::string_view name);
  // The hold sound: sound(org, "hold").
  core::Result<PromptRef> hold(std::string_view org) { return sound(org, "hold"); }

  // The prompt names that say `n` (1..999) in `language` ("ko" or "en"), in order, e.g.
  // 23 in English {"num_20", "num_3"}, 235 in Korean {"num_2", "num_100", "num_3",
  // "num_10", "num_5"} (이백삼십오). Empty for any other number or language.
  static std::vector<std::string> numberNames(int n, std::string_view language);

  // An admin replaced or added a file of `org`: its requests and its files are read
  // again next time. Calls already playing keep the prompt they hold.
  void invalidate(std::string_view org);

  // The number of distinct files held in memory.
  std::size_t cachedCount() const;

 private:
  core::Result<PromptRef> find(std::string_view org, std::string_view language,
                               std::string_view name);
  core::Result<PromptRef> loadOnce(const std::string& path, std::string_view name);

  const std::string defaults_dir_;
  const std::string custom_dir_;
  mutable std::mutex mutex_;  // guards what follows; never held while a file is read
  std::unordered_map<std::string, PromptRef> requests_;  // "org\0language\0name" → prompt
  std::unordered_map<std::string, PromptRef> files_;     // resolved path → prompt
  // A file being loaded: the first asker loads it holding this mutex; the others wait
  // on it and then find the result in files_ instead of reading the file again.
  std::unordered_map<std::string, std::shared_ptr<std::mutex>> loading_;
  std::uint64_t generation_ = 0;  // bumped by invalidate(): a load begun before is not cached
};

}  // namespace sb::media
