#pragma once
// Plays prompts to one leg, 20 ms at a time: a sequence ("You are number", "five",
// "in the queue.") or a loop (the hold sound). Sans-I/O and single-threaded: the media
// thread's 20 ms tick pulls frames with nextFrame(), which neither locks nor allocates;
// the prompts themselves are shared, immutable and already in both codecs.
//
// Consecutive prompts of a sequence are joined sample-exactly (a frame may end one
// prompt and begin the next), and a loop wraps the same way, so a hold melody made to
// loop has no gap or click. Only the end of the last prompt is padded with silence.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/media_types.hpp"
#include "media/prompt_library.hpp"

namespace sb::media {

class PromptPlayer {
 public:
  // Plays `sequence` in order (loop=true: repeats the whole sequence until stopped, e.g.
  // the hold sound). A new start replaces what was playing without reporting it
  // finished. Null and empty prompts are skipped; a sequence without audio (looping or
  // not) ends at the next frame as if played, so a caller waiting for it is not stuck.
  void start(std::vector<PromptRef> sequence, bool loop, bool interruptible, std::uint64_t id);
  // Silent stop: no finished report.
  void stop();
  bool active() const { return active_; }
  // The id given to start() of what plays now (meaningful while active()).
  std::uint64_t id() const { return id_; }

  // The next 20 ms (kFrameSamples bytes) in `codec`; the end of the last prompt is padded
  // with silenceCode(codec). Returns false (out untouched) when nothing plays; the call
  // after the last frame of a non-looping sequence makes it inactive and records it
  // finished.
  bool nextFrame(Codec codec, std::span<std::uint8_t, kFrameSamples> out);

  // A DTMF digit arrived: stops an interruptible sequence and returns true (no finished
  // report). False, and nothing changes, when nothing plays or it is not interruptible.
  bool interruptByDigit();

  // The id of a sequence that played to its end since the last call, once.
  std::optional<std::uint64_t> takeFinished();

 private:
  std::vector<PromptRef> sequence_;
  std::size_t index_ = 0;   // the prompt being played
  std::size_t offset_ = 0;  // the next sample of that prompt
  bool loop_ = false;
  bool interruptible_ = false;
  bool active_ = false;
  std::uint64_t id_ = 0;
  std::optional<std::uint64_t> finished_;
};

}  // namespace sb::media
