#include "media/prompt_player.hpp"

#include <algorithm>
#include <utility>

namespace sb::media {

void PromptPlayer::start(std::vector<PromptRef> sequence, bool loop, bool interruptible,
                         std::uint64_t id) {
  // Dropping the prompts without audio here keeps nextFrame() free of a loop that could
  // spin forever on a looping sequence of empty prompts.
  std::erase_if(sequence, [](const PromptRef& p) { return !p || p->samples() == 0; });
  sequence_ = std::move(sequence);
  index_ = 0;
  offset_ = 0;
  loop_ = loop;
  interruptible_ = interruptible;
  active_ = true;
  id_ = id;
}

void PromptPlayer::stop() {
  sequence_.clear();
  active_ = false;
}

bool PromptPlayer::nextFrame(Codec codec, std::span<std::uint8_t, kFrameSamples> out) {
  if (!active_) return false;
  if (index_ >= sequence_.size()) {  // the previous frame held the last samples
    sequence_.clear();
    active_ = false;
    finished_ = id_;
    return false;
  }
  std::size_t filled = 0;
  while (filled < out.size() && index_ < sequence_.size()) {
    const std::span<const std::uint8_t> audio = sequence_[index_]->encoded(codec);
    const std::size_t n = std::min(out.size() - filled, audio.size() - offset_);
    std::copy_n(audio.begin() + static_cast<std::ptrdiff_t>(offset_), n,
                out.begin() + static_cast<std::ptrdiff_t>(filled));
    filled += n;
    offset_ += n;
    if (offset_ == audio.size()) {
      offset_ = 0;
      ++index_;
      if (index_ == sequence_.size() && loop_) index_ = 0;
    }
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(filled), out.end(), silenceCode(codec));
  return true;
}

bool PromptPlayer::interruptByDigit() {
  if (!active_ || !interruptible_) return false;
  stop();
  return true;
}

std::optional<std::uint64_t> PromptPlayer::takeFinished() {
  return std::exchange(finished_, std::nullopt);
}

}  // namespace sb::media
