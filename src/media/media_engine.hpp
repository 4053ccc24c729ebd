#pragma once
// The media engine: RTP/RTCP endpoints for every call leg, the bridge between two legs,
// prompts and hold sound, DTMF in and out, and the call recording. It is the server's
// hot path (docs/media.md).
//
// Threads: a few media threads (one per core by default), each with its own
// io_context. A call and its legs belong to one thread for their whole life, so nothing
// on the packet path locks; commands from other threads (the SIP strand) are posted to
// the call's thread, events come back on it (the listener posts them where it wants).
// One 20 ms timer per thread paces every prompt, hold sound and recording of its calls.
//
// Sockets: one even/odd UDP port pair per leg from --rtp-ports (RTCP on +1, or on the
// RTP port when the phone offers rtcp-mux). Each readable socket is drained with
// recvmmsg; what one batch relays goes out through the peer's socket with one sendmmsg.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "media/media_types.hpp"
#include "media/prompt_library.hpp"

namespace sb::media {

using MediaCallId = std::uint64_t;  // never 0; names the thread it lives on
using MediaLegId = std::uint64_t;   // never 0; names the thread it lives on

struct MediaEngineOptions {
  std::string bind_address = "127.0.0.1";  // where the RTP sockets listen
  std::uint16_t port_low = 20000;
  std::uint16_t port_high = 29999;
  unsigned threads = 0;  // 0: one per core
  core::Duration media_timeout = std::chrono::seconds(30);  // no RTP while not on hold → event
  core::Duration rtcp_interval = std::chrono::seconds(5);
  std::size_t socket_buffer_bytes = 256 * 1024;  // SO_RCVBUF/SO_SNDBUF per RTP socket
  int realtime_priority = 0;  // SCHED_RR priority of the media threads (0: normal); needs CAP_SYS_NICE
  std::string recordings_dir;  // repaired at start(); empty: no recording possible
};

// What offer/answer decided for a leg (app maps sip::NegotiatedAudio onto it).
struct LegMediaParams {
  Codec codec = Codec::kPcmu;
  std::uint8_t payload_type = 0;
  std::optional<std::uint8_t> telephone_event_payload_type;
  std::string remote_address;  // from the SDP; symmetric RTP replaces it by the source
  std::uint16_t remote_port = 0;
  std::uint16_t remote_rtcp_port = 0;  // 0: remote_port + 1
  bool rtcp_mux = false;
  bool send = true;     // we may send (the peer receives)
  bool receive = true;  // the peer sends: a silence longer than media_timeout ends the call
  std::uint32_t ptime_ms = 20;
};

// Per leg, for the call record: what arrived, what was sent, and what RTCP said.
struct LegMediaStats {
  std::uint64_t packets_received = 0;
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bad_packets = 0;      // failed validation, wrong payload type, foreign source
  std::int64_t packets_lost = 0;      // by our receive statistics (RFC 3550 A.3)
  double jitter_ms = 0;               // interarrival jitter of what we received
  std::optional<double> rtt_ms;       // from the phone's report blocks about us
  std::optional<double> remote_fraction_lost;  // 0..1, the phone's last report about us
  std::optional<double> remote_jitter_ms;
  bool timed_out = false;
};

struct MediaCounts {
  std::uint64_t legs = 0;        // open legs (a port pair each)
  std::uint64_t calls = 0;
  std::uint64_t recordings = 0;  // being written
  std::uint64_t ports_in_use = 0;
  std::uint64_t ports_capacity = 0;
  std::uint64_t packets_in = 0;  // since start
  std::uint64_t packets_out = 0;
  std::uint64_t rtcp_in = 0;  // of packets_in / packets_out: RTCP
  std::uint64_t rtcp_out = 0;
  std::uint64_t bad_packets = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t recordings_failed = 0;
  // The delay the server adds to a relayed packet (kernel receive timestamp → handed to
  // sendmmsg), over the last complete 10 s window: its spread is the jitter we add.
  std::uint64_t relayed_in_window = 0;
  std::uint64_t relay_delay_p50_us = 0;
  std::uint64_t relay_delay_p99_us = 0;
  std::uint64_t relay_delay_max_us = 0;
};

// Events; called on the leg's media thread (onRecordingFailed: on the recording writer's
// thread). Keep them short: post elsewhere.
class MediaEventListener {
 public:
  virtual ~MediaEventListener() = default;
  virtual void onDigit(MediaLegId leg, char digit) = 0;                  // RFC 4733, once per key press
  virtual void onPlayFinished(MediaLegId leg, std::uint64_t play_id) = 0;  // played to its end
  virtual void onMediaTimeout(MediaLegId leg) = 0;                       // no RTP for media_timeout
  virtual void onRecordingFailed(MediaCallId call, const std::string& error) = 0;
};

struct RecordingDone {
  bool ok = false;
  std::uint64_t frames = 0;  // 8 kHz stereo frames written
  std::string path;
  std::string error;
};

class MediaEngine {
 public:
  MediaEngine(MediaEngineOptions options, MediaEventListener& listener, const core::Clock& clock);
  ~MediaEngine();  // stop() and join
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  // Repairs the recordings directory and starts the threads.
  core::Result<void> start();
  void stop();

  // --- from any thread ---
  MediaCallId createCall();  // picks the least busy thread
  // Binds a port pair for a new leg of `call` now (so its port can go into an SDP).
  // Fails when every port is in use.
  struct OpenedLeg {
    MediaLegId id = 0;
    std::uint16_t port = 0;  // RTP; RTCP on port + 1
  };
  core::Result<OpenedLeg> openLeg(MediaCallId call);

  void configure(MediaLegId leg, LegMediaParams params);  // after each offer/answer
  // Audio of each leg goes to the other (transcoded when the codecs differ).
  void bridge(MediaLegId a, MediaLegId b);
  void unbridge(MediaLegId leg);  // both directions of the leg's bridge
  // Plays to the leg instead of whatever it was bridged to; the bridge resumes after.
  void play(MediaLegId leg, std::vector<PromptRef> sequence, bool loop, bool interruptible,
            std::uint64_t play_id);
  void stopPlay(MediaLegId leg);
  void sendDigits(MediaLegId leg, std::string digits);  // RFC 4733, when negotiated
  // Records the call: the customer leg's voice left, the agent leg's right.
  void startRecording(MediaCallId call, std::string path, MediaLegId customer, MediaLegId agent);
  void stopRecording(MediaCallId call, std::function<void(RecordingDone)> done = {});
  // A transfer: the right channel records `agent` from now on (another leg of the call).
  void recordAgentLeg(MediaCallId call, MediaLegId agent);
  // Ends the leg: its ports go back to the pool; `done` gets its statistics.
  void closeLeg(MediaLegId leg, std::function<void(LegMediaStats)> done = {});
  // Ends the call: the recording is finished, every leg closed.
  void closeCall(MediaCallId call, std::function<void(RecordingDone)> done = {});

  MediaCounts counts() const;

  struct Impl;

 private:
  MediaEngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::media
