#pragma once
// Vocabulary shared by the media engine's parts: the codecs we carry, the 20 ms frame
// every part works in, and silence in each codec.
#include <cstddef>
#include <cstdint>

namespace sb::media {

// The audio codecs we terminate (G.711). The SIP layer negotiates them; app maps its
// sip::AudioCodec onto this one (media does not depend on sip).
enum class Codec : std::uint8_t { kPcmu, kPcma };

inline const char* toString(Codec codec) {
  return codec == Codec::kPcmu ? "PCMU" : "PCMA";
}

inline constexpr int kSampleRate = 8000;             // G.711 and our recordings
inline constexpr std::size_t kFrameMs = 20;          // one packet, one player/recorder step
inline constexpr std::size_t kFrameSamples = 160;    // 20 ms at 8 kHz
inline constexpr std::size_t kMaxFrameSamples = 480; // the largest ptime we accept (60 ms)

// The code of a zero sample in each codec (what a side that sends nothing sounds like).
inline constexpr std::uint8_t kUlawSilence = 0xFF;
inline constexpr std::uint8_t kAlawSilence = 0xD5;
inline constexpr std::uint8_t silenceCode(Codec codec) {
  return codec == Codec::kPcmu ? kUlawSilence : kAlawSilence;
}

}  // namespace sb::media
