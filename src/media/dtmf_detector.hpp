#pragma once
// In-band DTMF (ITU-T Q.23 frequencies) in 8 kHz linear PCM, for peers that send keys as
// tones instead of RFC 4733 events. Goertzel filters for the eight frequencies run over
// a 102-sample window (12.75 ms) every 51 samples; a window "hits" a digit when one row
// and one column tone stand out (level, twist, share of the window's energy, margin over
// the other tones of their group). A digit is reported once after enough consecutive
// hits (about 40 ms of tone) and cannot be reported again before a pause, so a held key
// is one digit and speech, music or a single tone are not keys.
//
// Per call state is a few hundred bytes; no heap, no exceptions.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

struct DtmfDetectorOptions {
  double min_tone_level_dbm0 = -30.0;  // each of the two tones (μ-law full scale is +3.17)
  double normal_twist_db = 8.0;        // column louder than row by at most this
  double reverse_twist_db = 4.0;       // row louder than column by at most this
  double min_energy_share = 0.7;       // the two tones' share of the window's energy
  double group_margin_db = 10.0;       // each tone over the others of its group
  int hits_to_report = 4;              // consecutive windows: 3 × 51 + 102 samples ≈ 32 ms
                                       // fully covered; a 40 ms tone always gives 4
  int misses_to_release = 3;           // windows without the digit before the next one
};

class DtmfDetector {
 public:
  static constexpr int kSampleRate = 8000;
  static constexpr std::size_t kWindow = 102;
  static constexpr std::size_t kHop = 51;

  explicit DtmfDetector(DtmfDetectorOptions options = {});

  // Feeds samples in order. Digits found are written to `digits` ('0'-'9', '*', '#',
  // 'A'-'D'); returns how many. More digits than `digits` holds are dropped (one 20 ms
  // frame can complete at most one).
  std::size_t process(std::span<const std::int16_t> samples, std::span<char> digits);

  void reset();

 private:
  DtmfDetectorOptions options_;
  std::array<float, 8> coefficients_{};
  double min_tone_energy_ = 0;
  double normal_twist_ = 0;
  double reverse_twist_ = 0;
  double group_margin_ = 0;

  std::array<std::int16_t, kWindow> ring_{};
  std::size_t write_ = 0;   // next slot in ring_
  std::size_t filled_ = 0;  // samples in ring_ (up to kWindow)
  std::size_t since_ = 0;   // samples since the last analysis
  char candidate_ = 0;      // digit of the current run of hits
  int hits_ = 0;
  int misses_ = 0;
  bool reported_ = false;  // the current run's digit is out; wait for a pause

  char analyze() const;
  bool step(char hit);  // true when the digit of the run is to be reported
};

}  // namespace sb::media
