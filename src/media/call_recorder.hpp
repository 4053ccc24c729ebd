#pragma once
// What goes into a call's recording: the customer's audio on the left, the agent's on the
// right, time-aligned on the media thread's 20 ms tick. Sans-I/O: G.711 payloads go in as
// they arrive, 1 s blocks of interleaved stereo come out for the RecordingWriter. One per
// recorded call, on one media thread; no locks, and no heap on the packet path (the side
// queues are allocated once; a block is allocated once per block).
//
// The clock is the tick, not the packets: every tick adds exactly one 20 ms frame per
// side, so a recording lasts ticks × 20 ms, as long as the call was recorded, and a side
// that sends nothing (muted, on hold, silence suppression, a dead leg) is silence on its
// channel.
//
// Alignment rule (a minimal jitter buffer per side, re-armed at every talk spurt):
//   * A side is either idle or playing. An idle side gives silence.
//   * An idle side starts playing on the tick that finds two frames queued, or on the
//     tick after the one that first found audio queued (it waits one tick). The wait is
//     the jitter allowance: packets sent every 20 ms at any phase relative to the tick
//     and with up to ±10 ms of jitter (20 ms peak to peak) are all in by the tick that
//     plays them, so steady talk never gets silence inserted. Without it, a packet
//     arriving at phase 19 ms and the next one 2 ms later than usual would miss its tick.
//   * A playing side gives a whole frame from its queue each tick. When the queue holds
//     less than a frame, the side has stopped talking (or a packet came later than the
//     allowance): what is there is played, padded with silence, and the side goes idle.
//     The next audio waits one tick again, so a late packet costs one gap and then the
//     side runs one frame later, absorbing that much more jitter until the next pause.
//   * Each side queues at most max_buffered_samples; audio beyond that drops the oldest
//     samples (counted in droppedSamples()). This bounds the latency a side can build
//     up (a sample is written at most max_buffered_samples plus one tick after it
//     arrived), and so the misalignment between the channels. The default (480, 60 ms)
//     holds the three 20 ms packets the ±10 ms allowance can have queued at once;
//     senders with a longer ptime need more.
// Audio still queued when the call ends (at most max_buffered_samples) is not written:
// the recording's length stays exactly the recorded time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/media_types.hpp"

namespace sb::media {

enum class RecordSide : std::uint8_t { kCustomer = 0, kAgent = 1 };  // left, right

struct CallRecorderOptions {
  std::size_t max_buffered_samples = 480;  // per side; older samples beyond are dropped
                                           // (bounded latency); at least kFrameSamples
  std::size_t block_frames = 8000;         // frames per block handed to the writer (1 s);
                                           // at least kFrameSamples
};

class CallRecorder {
 public:
  explicit CallRecorder(CallRecorderOptions options = {});

  // Audio a side sent, as received (a G.711 payload, normally up to kMaxFrameSamples
  // bytes): decoded and queued. An empty payload is ignored.
  void push(RecordSide side, Codec codec, std::span<const std::uint8_t> payload);

  // Every 20 ms from the media thread's tick: one frame of kFrameSamples per side goes
  // into the current block (see the alignment rule above). Returns the block
  // (interleaved L/R, block_frames frames) when this tick filled it.
  std::optional<std::vector<std::int16_t>> tick();

  // What is in the current block (may be empty), e.g. when the call ends; the next tick
  // starts a new block.
  std::vector<std::int16_t> flush();

  // Frames produced so far: ticks × kFrameSamples.
  std::uint64_t frames() const { return frames_; }
  std::uint64_t droppedSamples(RecordSide side) const;
  // Samples a side has queued and not yet played.
  std::size_t queuedSamples(RecordSide side) const;

 private:
  struct Side {
    std::vector<std::int16_t> ring;  // capacity max_buffered_samples, allocated once
    std::size_t head = 0;            // oldest queued sample
    std::size_t size = 0;            // queued samples
    bool playing = false;
    bool waited = false;  // idle with audio queued for one tick already
    std::uint64_t dropped = 0;
  };

  Side& side(RecordSide s) { return sides_[static_cast<std::size_t>(s)]; }
  const Side& side(RecordSide s) const { return sides_[static_cast<std::size_t>(s)]; }
  static void dropOldest(Side& side, std::size_t count);
  // How many samples of a whole frame `side` plays this tick (and its state change).
  static std::size_t playable(Side& side);
  // Moves `count` queued samples into `out` (silence after them up to a frame).
  static void take(Side& side, std::size_t count, std::span<std::int16_t> out);

  CallRecorderOptions options_;
  std::array<Side, 2> sides_;
  std::vector<std::int16_t> block_;  // interleaved, block_frames frames once started
  std::size_t filled_ = 0;           // samples of block_ written
  std::uint64_t frames_ = 0;
};

}  // namespace sb::media
