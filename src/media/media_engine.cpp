#include "media/media_engine.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/check.hpp"
#include "core/log.hpp"
#include "media/call_recorder.hpp"
#include "media/delay_histogram.hpp"
#include "media/g711.hpp"
#include "media/port_pool.hpp"
#include "media/prompt_player.hpp"
#include "media/recording_writer.hpp"
#include "media/rtcp_packet.hpp"
#include "media/rtp_output.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_stats.hpp"
#include "media/telephone_event.hpp"

namespace sb::media {
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr std::size_t kBatch = 32;          // datagrams per recvmmsg/sendmmsg
constexpr std::size_t kMaxDatagram = 1500;  // larger RTP is not audio we take
constexpr int kBindAttempts = 32;  // ports another program holds are set aside as found
constexpr auto kTick = std::chrono::milliseconds(20);
constexpr std::uint8_t kComfortNoise = 13;  // RFC 3389: accepted, not relayed
constexpr unsigned kThreadBits = 8;

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool valid() const { return length != 0; }
};

bool sameAddress(const SockAddr& a, const sockaddr_storage& b) {
  if (a.storage.ss_family != b.ss_family) return false;
  if (b.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a.storage);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (b.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a.storage);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  return false;
}

void setPort(SockAddr& a, std::uint16_t port) {
  if (a.storage.ss_family == AF_INET) reinterpret_cast<sockaddr_in&>(a.storage).sin_port = htons(port);
  if (a.storage.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6&>(a.storage).sin6_port = htons(port);
}

std::uint16_t portOf(const SockAddr& a) {
  if (a.storage.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a.storage).sin_port);
  if (a.storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a.storage).sin6_port);
  return 0;
}

std::optional<SockAddr> toSockAddr(const std::string& address, std::uint16_t port, bool v6_socket) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec || ip.is_unspecified() || port == 0) return std::nullopt;
  if (v6_socket && ip.is_v4()) ip = asio::ip::make_address_v6(asio::ip::v4_mapped, ip.to_v4());
  if (!v6_socket && ip.is_v6()) return std::nullopt;
  udp::endpoint endpoint(ip, port);
  SockAddr out;
  std::memcpy(&out.storage, endpoint.data(), endpoint.size());
  out.length = static_cast<socklen_t>(endpoint.size());
  return out;
}

double toMs(core::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Counters {  // written by one media thread, summed by counts()
  std::atomic<std::uint64_t> packets_in{0}, packets_out{0}, bad{0}, timeouts{0}, rtcp_in{0}, rtcp_out{0};
  std::atomic<std::uint64_t> legs{0}, calls{0}, recordings{0};
};

}  // namespace

struct Call;
struct Thread;

struct Leg {
  Leg(asio::io_context& io, MediaLegId leg_id, MediaCallId call_id, std::uint16_t rtp_port, std::uint32_t ssrc,
      std::uint16_t seq, std::uint32_t ts)
      : id(leg_id), call(call_id), port(rtp_port), rtp(io), rtcp(io), out(ssrc, seq, ts) {}

  MediaLegId id;
  MediaCallId call;
  std::uint16_t port;
  udp::socket rtp;
  udp::socket rtcp;
  bool v6 = false;
  bool open = true;

  bool configured = false;
  LegMediaParams params;
  SockAddr sdp_remote;   // where the SDP says
  SockAddr latched;      // where its RTP comes from (symmetric RTP)
  SockAddr rtcp_remote;  // where its RTCP comes from, else derived

  RtpReceiveStats rx{kSampleRate};
  RtpSendStats tx{kSampleRate};
  RtpOutput out;
  std::optional<std::uint32_t> remote_ssrc;
  TelephoneEventReceiver events;
  PromptPlayer player;
  Leg* peer = nullptr;
  Call* owner = nullptr;  // the call's entry on the thread (stable: a node of an unordered_map)

  // DTMF we send
  std::string digits;
  TelephoneEventSender sender;
  std::optional<TelephoneEventPacket> pending_event;
  core::Time event_started{};
  core::Time next_digit_at{};

  core::Time last_rtp{};
  core::Time next_rtcp{};
  LegMediaStats stats;

  const SockAddr& rtpDestination() const { return latched.valid() ? latched : sdp_remote; }
  // A digit is on its way out (its last end packet may still wait for its send time).
  bool digitInFlight() const { return pending_event.has_value() || sender.busy(); }
  bool sendingDigits() const { return !digits.empty() || digitInFlight(); }
  bool mayReceiveFromPeer() const {
    return configured && params.send && !player.active() && !sendingDigits();
  }
  std::uint64_t sourceKey() const {
    return (id * 0x9E3779B97F4A7C15ull) ^ remote_ssrc.value_or(0);
  }
};

struct Call {
  MediaCallId id = 0;
  std::vector<std::shared_ptr<Leg>> legs;
  std::unique_ptr<CallRecorder> recorder;
  RecordingWriter::Handle recording = 0;
  std::string recording_path;
  MediaLegId customer = 0;
  MediaLegId agent = 0;
};

// One outgoing datagram of a batch.
struct OutPacket {
  int fd = -1;
  const SockAddr* to = nullptr;
  std::size_t length = 0;
  std::array<std::uint8_t, kMaxDatagram> bytes;
};

struct Thread {
  explicit Thread(unsigned i) : index(i), tick(io), sockets(io) {}
  unsigned index;
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  asio::steady_timer tick;
  // The thread's own epoll set of every RTP/RTCP socket (level-triggered), itself watched
  // by the io_context: one wake-up serves every socket that became readable, and arming
  // costs one epoll_ctl per wake-up instead of one per packet (Asio re-arms each wait).
  asio::posix::stream_descriptor sockets;
  std::array<epoll_event, 256> ready{};
  std::chrono::steady_clock::time_point next_tick;
  std::uint64_t ticks = 0;
  std::unordered_map<MediaLegId, std::shared_ptr<Leg>> legs;
  std::unordered_map<MediaCallId, Call> calls;
  std::atomic<std::uint64_t> call_count{0};  // for createCall's choice
  Counters counters;
  std::mt19937 random{std::random_device{}()};

  // Batch buffers, reused for every socket of the thread.
  std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> in_bytes{};
  std::array<sockaddr_storage, kBatch> in_from{};
  std::array<iovec, kBatch> in_iov{};
  std::array<mmsghdr, kBatch> in_msgs{};
  static constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(timespec));
  std::array<std::array<std::uint8_t, kControlBytes>, kBatch> in_control{};
  std::array<std::int64_t, kBatch> in_kernel_ns{};  // SO_TIMESTAMPNS of each datagram
  std::array<bool, kBatch> in_relayed{};

  // Relay delay (kernel receive → handed to sendmmsg): the delay the server adds.
  DelayHistogram delay;
  std::chrono::steady_clock::time_point delay_window_start = std::chrono::steady_clock::now();
  std::mutex delay_mutex;
  DelayHistogram delay_last_window;  // the last complete 10 s window, read by counts()
  std::array<OutPacket, kBatch> out{};
  std::size_t out_count = 0;
  std::array<mmsghdr, kBatch> out_msgs{};
  std::array<iovec, kBatch> out_iov{};
};

struct MediaEngine::Impl {
  Impl(MediaEngineOptions& o, MediaEventListener& l, const core::Clock& c)
      : options(o), listener(l), clock(c), pool(o.port_low, o.port_high) {}

  MediaEngineOptions& options;
  MediaEventListener& listener;
  const core::Clock& clock;
  std::vector<std::unique_ptr<Thread>> threads;
  std::atomic<std::uint64_t> next_id{1};
  std::mutex pool_mutex;
  PortPool pool;
  std::unique_ptr<RecordingWriter> writer;
  std::mutex failed_mutex;
  std::unordered_map<RecordingWriter::Handle, MediaCallId> recording_calls;
  std::atomic<std::uint64_t> recordings_failed{0};
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  bool v6 = false;

  Thread& threadOf(std::uint64_t id) { return *threads[id & ((1u << kThreadBits) - 1)]; }
  std::uint64_t makeId(unsigned thread) {
    return (next_id.fetch_add(1, std::memory_order_relaxed) << kThreadBits) | thread;
  }

  template <typename F>
  void onThreadOf(std::uint64_t id, F&& f) {
    if (id == 0 || threads.empty()) return;
    asio::post(threadOf(id).io, std::forward<F>(f));
  }

  Leg* findLeg(Thread& t, MediaLegId id) {
    auto it = t.legs.find(id);
    return it == t.legs.end() ? nullptr : it->second.get();
  }

  void releasePort(std::uint16_t port) {
    std::lock_guard lock(pool_mutex);
    pool.release(port);
  }

  // --- packet path ---
  void watch(Thread& t, Leg& leg);
  void armSockets(Thread& t);
  void onSocketsReady(Thread& t);
  void drain(Thread& t, Leg& leg, bool rtcp_socket);
  // True when the packet was relayed to the bridged leg.
  bool onRtp(Thread& t, Leg& leg, std::span<const std::uint8_t> bytes, const sockaddr_storage& from,
             core::Time now);
  void onRtcp(Thread& t, Leg& leg, std::span<const std::uint8_t> bytes, const sockaddr_storage& from,
              core::Time now);
  OutPacket* queue(Thread& t, Leg& to);
  void flush(Thread& t);
  void sendRtp(Thread& t, Leg& to, const RtpOutHeader& h, std::uint8_t payload_type,
               std::span<const std::uint8_t> payload, bool transcode_from_other, core::Time now);
  void sendRtcp(Thread& t, Leg& leg, core::Time now, bool bye);

  // --- the 20 ms tick ---
  void scheduleTick(Thread& t);
  void onTick(Thread& t);
  void tickLeg(Thread& t, Leg& leg, core::Time now, bool second);
  void tickDigits(Thread& t, Leg& leg, core::Time now);

  // --- commands (on the thread) ---
  void doClose(Thread& t, const std::shared_ptr<Leg>& leg, std::function<void(LegMediaStats)> done);
  void doStopRecording(Thread& t, Call& call, std::function<void(RecordingDone)> done);
};

// ---------------------------------------------------------------------------------------
// Receiving

// What the epoll set says of a socket: its Leg, with the low bit set for the RTCP socket.
// Safe because a leg is only destroyed by a command on this thread, never while a batch
// of ready sockets is being handled, and it leaves the set before its sockets close.
constexpr std::uintptr_t kRtcpFlag = 1;
static_assert(alignof(Leg) > 1);

void MediaEngine::Impl::watch(Thread& t, Leg& leg) {
  for (const bool rtcp : {false, true}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = reinterpret_cast<std::uintptr_t>(&leg) | (rtcp ? kRtcpFlag : 0);
    const int fd = rtcp ? leg.rtcp.native_handle() : leg.rtp.native_handle();
    if (::epoll_ctl(t.sockets.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      core::logError("media: epoll_ctl failed", {{"errno", static_cast<int64_t>(errno)}});
    }
  }
}

void MediaEngine::Impl::armSockets(Thread& t) {
  t.sockets.async_wait(asio::posix::stream_descriptor::wait_read, [this, &t](boost::system::error_code ec) {
    if (ec || stopped) return;
    onSocketsReady(t);
    armSockets(t);
  });
}

void MediaEngine::Impl::onSocketsReady(Thread& t) {
  for (int rounds = 0; rounds < 8; ++rounds) {  // bounded: the tick and commands get their turn
    const int n = ::epoll_wait(t.sockets.native_handle(), t.ready.data(), static_cast<int>(t.ready.size()), 0);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      const auto tag = static_cast<std::uintptr_t>(t.ready[static_cast<std::size_t>(i)].data.u64);
      Leg* leg = reinterpret_cast<Leg*>(tag & ~kRtcpFlag);
      if (leg->open) drain(t, *leg, (tag & kRtcpFlag) != 0);
    }
    if (static_cast<std::size_t>(n) < t.ready.size()) return;
  }
}

void MediaEngine::Impl::drain(Thread& t, Leg& leg, bool rtcp_socket) {
  const int fd = rtcp_socket ? leg.rtcp.native_handle() : leg.rtp.native_handle();
  for (int rounds = 0; rounds < 4; ++rounds) {  // bounded: other sockets get their turn
    for (std::size_t i = 0; i < kBatch; ++i) {
      t.in_iov[i] = iovec{t.in_bytes[i].data(), kMaxDatagram};
      auto& h = t.in_msgs[i].msg_hdr;
      h = msghdr{};
      h.msg_name = &t.in_from[i];
      h.msg_namelen = sizeof(sockaddr_storage);
      h.msg_iov = &t.in_iov[i];
      h.msg_iovlen = 1;
      h.msg_control = t.in_control[i].data();
      h.msg_controllen = t.in_control[i].size();
      t.in_msgs[i].msg_len = 0;
    }
    const int n = ::recvmmsg(fd, t.in_msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    const core::Time now = clock.now();
    t.counters.packets_in.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
    for (int i = 0; i < n && leg.open; ++i) {
      const auto& msg = t.in_msgs[static_cast<std::size_t>(i)];
      std::span<const std::uint8_t> bytes(t.in_bytes[static_cast<std::size_t>(i)].data(), msg.msg_len);
      if ((msg.msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++leg.stats.bad_packets;
        t.counters.bad.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const auto k = static_cast<std::size_t>(i);
      t.in_relayed[k] = false;
      if (rtcp_socket) {
        onRtcp(t, leg, bytes, t.in_from[k], now);
        continue;
      }
      t.in_kernel_ns[k] = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg.msg_hdr); c != nullptr;
           c = CMSG_NXTHDR(const_cast<msghdr*>(&msg.msg_hdr), c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          t.in_kernel_ns[k] = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
        }
      }
      t.in_relayed[k] = onRtp(t, leg, bytes, t.in_from[k], now);
    }
    flush(t);
    if (!rtcp_socket) {
      timespec done{};
      ::clock_gettime(CLOCK_REALTIME, &done);
      const std::int64_t done_ns = static_cast<std::int64_t>(done.tv_sec) * 1'000'000'000 + done.tv_nsec;
      for (int i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (t.in_relayed[k] && t.in_kernel_ns[k] != 0 && done_ns >= t.in_kernel_ns[k]) {
          t.delay.record(static_cast<std::uint64_t>((done_ns - t.in_kernel_ns[k]) / 1000));
        }
      }
    }
    if (static_cast<std::size_t>(n) < kBatch) break;
  }
}

bool MediaEngine::Impl::onRtp(Thread& t, Leg& leg, std::span<const std::uint8_t> bytes,
                              const sockaddr_storage& from, core::Time now) {
  auto bad = [&] {
    ++leg.stats.bad_packets;
    t.counters.bad.fetch_add(1, std::memory_order_relaxed);
    return false;
  };
  const PacketKind kind = classifyPacket(bytes);
  if (!leg.configured) return bad();
  if (kind == PacketKind::kRtcp && leg.params.rtcp_mux) {
    onRtcp(t, leg, bytes, from, now);
    return false;
  }
  // Without rtcp-mux, "RTCP-looking" packets are RTP with payload types 64–95.
  if (kind != PacketKind::kRtp && kind != PacketKind::kRtcp) return bad();
  const auto packet = parseRtp(bytes);
  if (!packet) return bad();
  // Symmetric RTP: the first valid packet decides where this phone is; anything from
  // elsewhere afterwards is dropped (it could be anyone's).
  if (!leg.latched.valid()) {
    std::memcpy(&leg.latched.storage, &from, sizeof from);
    leg.latched.length = from.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  } else if (!sameAddress(leg.latched, from)) {
    return bad();
  }
  const bool audio = packet->payload_type == leg.params.payload_type;
  const bool event = leg.params.telephone_event_payload_type &&
                     packet->payload_type == *leg.params.telephone_event_payload_type;
  if (!audio && !event) {
    if (packet->payload_type != kComfortNoise) return bad();
    leg.last_rtp = now;
    return false;
  }
  if (audio && packet->payload.size() > kMaxFrameSamples) return bad();
  if (!leg.remote_ssrc || *leg.remote_ssrc != packet->ssrc) {
    // A new source (the phone restarted its stream, e.g. after a re-INVITE).
    leg.remote_ssrc = packet->ssrc;
    leg.rx = RtpReceiveStats(kSampleRate);
    leg.events.reset();
  }
  leg.rx.onPacket(packet->sequence, packet->timestamp, now);
  ++leg.stats.packets_received;
  leg.stats.bytes_received += bytes.size();
  leg.last_rtp = now;

  if (event) {
    auto digits = leg.events.onPacket(packet->payload, packet->timestamp, packet->marker, packet->sequence, now);
    if (!digits) return bad();  // not a telephone-event payload: dropped, not relayed
    for (const ReceivedDigit& d : *digits) {
      leg.player.interruptByDigit();
      listener.onDigit(leg.id, d.digit);
    }
    Leg* peer = leg.peer;
    if (peer != nullptr && peer->mayReceiveFromPeer() && peer->params.telephone_event_payload_type) {
      const RtpOutHeader h = peer->out.relay(leg.sourceKey(), packet->sequence, packet->timestamp, 0,
                                             packet->marker, now);
      sendRtp(t, *peer, h, *peer->params.telephone_event_payload_type, packet->payload, false, now);
      return true;
    }
    return false;
  }
  // Audio.
  if (leg.owner != nullptr && leg.owner->recorder) {
    Call& call = *leg.owner;
    if (leg.id == call.customer) call.recorder->push(RecordSide::kCustomer, leg.params.codec, packet->payload);
    else if (leg.id == call.agent) call.recorder->push(RecordSide::kAgent, leg.params.codec, packet->payload);
  }
  Leg* peer = leg.peer;
  if (peer != nullptr && peer->mayReceiveFromPeer()) {
    const auto samples = static_cast<std::uint32_t>(packet->payload.size());
    const RtpOutHeader h =
        peer->out.relay(leg.sourceKey(), packet->sequence, packet->timestamp, samples, packet->marker, now);
    sendRtp(t, *peer, h, peer->params.payload_type, packet->payload, leg.params.codec != peer->params.codec, now);
    return true;
  }
  return false;
}

void MediaEngine::Impl::onRtcp(Thread& t, Leg& leg, std::span<const std::uint8_t> bytes,
                               const sockaddr_storage& from, core::Time now) {
  t.counters.rtcp_in.fetch_add(1, std::memory_order_relaxed);
  const auto compound = parseRtcp(bytes);
  if (!compound || !leg.configured) {
    ++leg.stats.bad_packets;
    t.counters.bad.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!leg.rtcp_remote.valid()) {
    std::memcpy(&leg.rtcp_remote.storage, &from, sizeof from);
    leg.rtcp_remote.length = from.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  } else if (!sameAddress(leg.rtcp_remote, from)) {
    ++leg.stats.bad_packets;
    t.counters.bad.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto readBlocks = [&](const ReportBlocks& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const ReportBlock b = blocks[i];
      if (b.ssrc != leg.out.ssrc()) continue;
      leg.stats.remote_fraction_lost = b.fraction_lost / 256.0;
      leg.stats.remote_jitter_ms = b.jitter / 8.0;
      if (auto rtt = roundTripTime(b, now)) leg.stats.rtt_ms = toMs(*rtt);
    }
  };
  for (const RtcpPacketView& p : *compound) {
    if (p.type() == static_cast<std::uint8_t>(RtcpType::kSr)) {
      const RtcpSenderReport sr = p.senderReport();
      if (leg.remote_ssrc && sr.ssrc == *leg.remote_ssrc) leg.rx.onSenderReport(sr.info.ntp_timestamp, now);
      readBlocks(sr.blocks);
    } else if (p.type() == static_cast<std::uint8_t>(RtcpType::kRr)) {
      readBlocks(p.receiverReport().blocks);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Sending

OutPacket* MediaEngine::Impl::queue(Thread& t, Leg& to) {
  const SockAddr& dest = to.rtpDestination();
  if (!dest.valid() || !to.open) return nullptr;
  if (t.out_count == kBatch) flush(t);
  OutPacket& p = t.out[t.out_count++];
  p.fd = to.rtp.native_handle();
  p.to = &dest;
  return &p;
}

void MediaEngine::Impl::sendRtp(Thread& t, Leg& to, const RtpOutHeader& h, std::uint8_t payload_type,
                                std::span<const std::uint8_t> payload, bool transcode, core::Time now) {
  OutPacket* p = queue(t, to);
  if (p == nullptr) return;
  RtpHeaderFields f;
  f.payload_type = payload_type;
  f.marker = h.marker;
  f.sequence = h.sequence;
  f.timestamp = h.timestamp;
  f.ssrc = to.out.ssrc();
  // The header is 12 bytes; write it, then the payload straight into the buffer.
  auto written = writeRtp(std::span<std::uint8_t>(p->bytes), f, {});
  if (!written) {
    --t.out_count;
    return;
  }
  std::uint8_t* body = p->bytes.data() + *written;
  const std::size_t room = p->bytes.size() - *written;
  const std::size_t n = std::min(room, payload.size());
  if (transcode) {
    if (to.params.codec == Codec::kPcma) {
      transcodeUlawToAlaw(payload.first(n), std::span<std::uint8_t>(body, n));
    } else {
      transcodeAlawToUlaw(payload.first(n), std::span<std::uint8_t>(body, n));
    }
  } else {
    std::memcpy(body, payload.data(), n);
  }
  p->length = *written + n;
  to.tx.onPacketSent(h.timestamp, n, now);
  ++to.stats.packets_sent;
  to.stats.bytes_sent += p->length;
}

void MediaEngine::Impl::flush(Thread& t) {
  std::size_t start = 0;
  while (start < t.out_count) {
    // One sendmmsg per run of packets that leave through the same socket.
    std::size_t end = start;
    while (end < t.out_count && t.out[end].fd == t.out[start].fd) {
      const std::size_t k = end - start;
      t.out_iov[k] = iovec{t.out[end].bytes.data(), t.out[end].length};
      auto& h = t.out_msgs[k].msg_hdr;
      h = msghdr{};
      h.msg_name = const_cast<sockaddr_storage*>(&t.out[end].to->storage);
      h.msg_namelen = t.out[end].to->length;
      h.msg_iov = &t.out_iov[k];
      h.msg_iovlen = 1;
      ++end;
    }
    const auto count = static_cast<unsigned>(end - start);
    const int sent = ::sendmmsg(t.out[start].fd, t.out_msgs.data(), count, MSG_DONTWAIT);
    // A full socket buffer drops what did not fit (real-time audio is never queued).
    if (sent > 0) t.counters.packets_out.fetch_add(static_cast<std::uint64_t>(sent), std::memory_order_relaxed);
    start = end;
  }
  t.out_count = 0;
}

void MediaEngine::Impl::sendRtcp(Thread& t, Leg& leg, core::Time now, bool bye) {
  SockAddr dest = leg.rtcp_remote;
  int fd = leg.params.rtcp_mux ? leg.rtp.native_handle() : leg.rtcp.native_handle();
  if (!dest.valid()) {
    dest = leg.rtpDestination();
    if (!dest.valid()) return;
    if (!leg.params.rtcp_mux) {
      setPort(dest, leg.params.remote_rtcp_port != 0 && !leg.latched.valid()
                        ? leg.params.remote_rtcp_port
                        : static_cast<std::uint16_t>(portOf(dest) + 1));
    }
  }
  std::array<std::uint8_t, 256> buffer{};
  RtcpWriter w(buffer);
  std::array<ReportBlock, 1> block{};
  std::span<const ReportBlock> blocks;
  if (leg.remote_ssrc && leg.rx.received() > 0) {
    block[0] = leg.rx.makeReportBlock(*leg.remote_ssrc, now);
    blocks = block;
  }
  const bool ok = leg.tx.sentAny() ? w.addSenderReport(leg.out.ssrc(), leg.tx.senderInfo(now), blocks)
                                   : w.addReceiverReport(leg.out.ssrc(), blocks);
  if (!ok || !w.addSdesCname(leg.out.ssrc(), "switchboard")) return;
  if (bye) {
    const std::uint32_t ssrc = leg.out.ssrc();
    w.addBye(std::span<const std::uint32_t>(&ssrc, 1));
  }
  const auto bytes = w.bytes();
  if (::sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&dest.storage),
               dest.length) > 0) {
    t.counters.packets_out.fetch_add(1, std::memory_order_relaxed);
    t.counters.rtcp_out.fetch_add(1, std::memory_order_relaxed);
  }
}

// ---------------------------------------------------------------------------------------
// The tick

void MediaEngine::Impl::scheduleTick(Thread& t) {
  t.next_tick += kTick;
  const auto now = std::chrono::steady_clock::now();
  if (t.next_tick + 5 * kTick < now) t.next_tick = now + kTick;  // fell far behind: resync
  t.tick.expires_at(t.next_tick);
  t.tick.async_wait([this, &t](boost::system::error_code ec) {
    if (ec || stopped) return;
    onTick(t);
    scheduleTick(t);
  });
}

void MediaEngine::Impl::onTick(Thread& t) {
  const core::Time now = clock.now();
  const auto steady = std::chrono::steady_clock::now();
  if (steady - t.delay_window_start >= std::chrono::seconds(10)) {
    std::lock_guard lock(t.delay_mutex);
    t.delay_last_window = t.delay;
    t.delay.clear();
    t.delay_window_start = steady;
  }
  const bool second = ++t.ticks % 50 == 0;
  const bool tenth = t.ticks % 5 == 0;
  for (auto& [id, leg] : t.legs) {
    if (leg->player.active() || leg->sendingDigits() || tenth) tickLeg(t, *leg, now, second);
  }
  flush(t);
  for (auto& [id, call] : t.calls) {
    if (!call.recorder) continue;
    if (auto block = call.recorder->tick()) writer->append(call.recording, std::move(*block));
  }
}

void MediaEngine::Impl::tickLeg(Thread& t, Leg& leg, core::Time now, bool second) {
  if (!leg.configured) return;
  if (leg.sendingDigits()) {
    tickDigits(t, leg, now);
  } else if (leg.player.active()) {
    std::array<std::uint8_t, kFrameSamples> frame{};
    if (leg.player.nextFrame(leg.params.codec, frame) && leg.params.send) {
      const RtpOutHeader h = leg.out.own(kFrameSamples, now);
      sendRtp(t, leg, h, leg.params.payload_type, frame, false, now);
    }
    if (auto finished = leg.player.takeFinished()) listener.onPlayFinished(leg.id, *finished);
  }
  // RFC 4733 digits whose end packets never came.
  if (auto late = leg.events.poll(now)) listener.onDigit(leg.id, late->digit);
  if (!second) return;
  if (now >= leg.next_rtcp) {
    sendRtcp(t, leg, now, false);
    // RFC 3550 §6.3.1: randomized over [0.5, 1.5] of the interval.
    std::uniform_real_distribution<double> spread(0.5, 1.5);
    leg.next_rtcp = now + std::chrono::duration_cast<core::Duration>(options.rtcp_interval * spread(t.random));
  }
  if (leg.params.receive && !leg.stats.timed_out && now - leg.last_rtp > options.media_timeout) {
    leg.stats.timed_out = true;
    t.counters.timeouts.fetch_add(1, std::memory_order_relaxed);
    listener.onMediaTimeout(leg.id);
  }
}

void MediaEngine::Impl::tickDigits(Thread& t, Leg& leg, core::Time now) {
  if (!leg.params.telephone_event_payload_type) {
    leg.digits.clear();
    return;
  }
  if (!leg.digitInFlight()) {
    if (leg.digits.empty() || now < leg.next_digit_at) return;
    const char digit = leg.digits.front();
    leg.digits.erase(leg.digits.begin());
    const std::uint32_t start = leg.out.eventStart(now);
    if (!leg.sender.start(digit, std::chrono::milliseconds(120), start)) return;
    leg.event_started = now;
    leg.pending_event = leg.sender.next();
  }
  while (leg.pending_event && now - leg.event_started >= leg.pending_event->send_offset) {
    const auto& e = *leg.pending_event;
    const std::uint32_t duration =
        static_cast<std::uint32_t>(e.payload[2]) << 8 | static_cast<std::uint32_t>(e.payload[3]);
    const RtpOutHeader h = leg.out.event(e.rtp_timestamp, duration, e.marker, now);
    if (leg.params.send) sendRtp(t, leg, h, *leg.params.telephone_event_payload_type, e.payload, false, now);
    leg.pending_event = leg.sender.next();
    // The last end packet is out: the next digit waits for the inter-digit pause.
    if (!leg.digitInFlight()) leg.next_digit_at = now + std::chrono::milliseconds(80);
  }
}

// ---------------------------------------------------------------------------------------
// Commands

void MediaEngine::Impl::doClose(Thread& t, const std::shared_ptr<Leg>& leg,
                                std::function<void(LegMediaStats)> done) {
  if (!leg->open) return;
  if (leg->configured) sendRtcp(t, *leg, clock.now(), true);
  if (leg->peer != nullptr) {
    leg->peer->peer = nullptr;
    leg->peer = nullptr;
  }
  leg->open = false;
  for (udp::socket* socket : {&leg->rtp, &leg->rtcp}) {
    ::epoll_ctl(t.sockets.native_handle(), EPOLL_CTL_DEL, socket->native_handle(), nullptr);
    boost::system::error_code ec;
    socket->close(ec);
  }
  releasePort(leg->port);
  t.counters.legs.fetch_sub(1, std::memory_order_relaxed);
  leg->stats.packets_lost = leg->rx.lost();
  leg->stats.jitter_ms = leg->rx.jitter() / 8.0;
  if (done) done(leg->stats);
  auto cit = t.calls.find(leg->call);
  if (cit != t.calls.end()) std::erase(cit->second.legs, leg);
  leg->owner = nullptr;
  t.legs.erase(leg->id);
}

void MediaEngine::Impl::doStopRecording(Thread& t, Call& call, std::function<void(RecordingDone)> done) {
  if (!call.recorder) {
    if (done) done(RecordingDone{false, 0, {}, "not recording"});
    return;
  }
  auto rest = call.recorder->flush();
  if (!rest.empty()) writer->append(call.recording, std::move(rest));
  call.recorder.reset();
  t.counters.recordings.fetch_sub(1, std::memory_order_relaxed);
  writer->close(call.recording, [this, handle = call.recording, done = std::move(done)](RecordingResult r) {
    {
      std::lock_guard lock(failed_mutex);
      recording_calls.erase(handle);
    }
    if (done) done(RecordingDone{r.ok, r.frames, r.path, r.error});
  });
  call.recording = 0;
}

MediaEngine::MediaEngine(MediaEngineOptions options, MediaEventListener& listener, const core::Clock& clock)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_, listener, clock)) {}

MediaEngine::~MediaEngine() {
  stop();
}

core::Result<void> MediaEngine::start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) return core::makeError(core::ErrorCode::kInvalidInput, "bad media address: " + options_.bind_address);
  impl_->v6 = address.is_v6();
  if (!options_.recordings_dir.empty()) {
    auto repaired = repairRecordings(options_.recordings_dir);
    if (!repaired) return repaired.error();
    if (*repaired > 0) core::logWarn("recordings repaired", {{"count", static_cast<int64_t>(*repaired)}});
  }
  impl_->writer = std::make_unique<RecordingWriter>(
      RecordingWriterOptions{}, [impl = impl_.get()](RecordingWriter::Handle handle, const std::string& error) {
        impl->recordings_failed.fetch_add(1, std::memory_order_relaxed);
        MediaCallId call = 0;
        {
          std::lock_guard lock(impl->failed_mutex);
          auto it = impl->recording_calls.find(handle);
          if (it != impl->recording_calls.end()) call = it->second;
        }
        if (call != 0) impl->listener.onRecordingFailed(call, error);
      });
  unsigned n = options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, (1u << kThreadBits) - 1);
  for (unsigned i = 0; i < n; ++i) {
    auto t = std::make_unique<Thread>(i);
    const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return core::makeError(core::ErrorCode::kUnavailable, "epoll_create1 failed");
    t->sockets.assign(epfd);
    t->work.emplace(t->io.get_executor());
    t->next_tick = std::chrono::steady_clock::now();
    impl_->threads.push_back(std::move(t));
  }
  for (auto& t : impl_->threads) {
    Thread* raw = t.get();
    asio::post(raw->io, [impl = impl_.get(), raw] {
      impl->scheduleTick(*raw);
      impl->armSockets(*raw);
    });
    raw->thread = std::thread([raw, realtime = options_.realtime_priority] {
      if (realtime > 0) {
        // Like Asterisk's -p and FreeSWITCH's -rp: media threads that wake before the
        // load generator, the writer and the HTTP threads keep the added jitter small.
        // They block in epoll between packets and the kernel caps real-time threads at
        // 95 % of a core, so a busy engine cannot lock the machine up.
        sched_param param{};
        param.sched_priority = realtime;
        const int error = pthread_setschedparam(pthread_self(), SCHED_RR, &param);
        if (error != 0 && raw->index == 0) {
          core::logWarn("media threads run without real-time priority",
                        {{"error", std::string(std::strerror(error))},
                         {"hint", "grant CAP_SYS_NICE (systemd: AmbientCapabilities=CAP_SYS_NICE)"}});
        }
      }
      raw->io.run();
    });
  }
  impl_->started = true;
  return {};
}

void MediaEngine::stop() {
  if (!impl_->started || impl_->stopped.exchange(true)) return;
  for (auto& t : impl_->threads) {
    Thread* raw = t.get();
    asio::post(raw->io, [impl = impl_.get(), raw] {
      raw->tick.cancel();
      boost::system::error_code ec;
      raw->sockets.cancel(ec);
      for (auto& [id, call] : raw->calls) impl->doStopRecording(*raw, call, {});
      std::vector<std::shared_ptr<Leg>> legs;
      for (auto& [id, leg] : raw->legs) legs.push_back(leg);
      for (auto& leg : legs) impl->doClose(*raw, leg, {});
      raw->calls.clear();
      raw->work.reset();
    });
  }
  for (auto& t : impl_->threads) {
    if (t->thread.joinable()) t->thread.join();
  }
  impl_->writer.reset();  // finishes what the threads handed over
}

MediaCallId MediaEngine::createCall() {
  unsigned best = 0;
  for (unsigned i = 1; i < impl_->threads.size(); ++i) {
    if (impl_->threads[i]->call_count.load() < impl_->threads[best]->call_count.load()) best = i;
  }
  Thread& t = *impl_->threads[best];
  t.call_count.fetch_add(1);
  const MediaCallId id = impl_->makeId(best);
  asio::post(t.io, [&t, id] {
    t.calls[id].id = id;
    t.counters.calls.fetch_add(1, std::memory_order_relaxed);
  });
  return id;
}

core::Result<MediaEngine::OpenedLeg> MediaEngine::openLeg(MediaCallId call) {
  if (call == 0 || impl_->threads.empty()) return core::makeError(core::ErrorCode::kNotFound, "no such media call");
  Thread& t = impl_->threadOf(call);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.bind_address, ec);
  for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
    std::optional<std::uint16_t> port;
    {
      std::lock_guard lock(impl_->pool_mutex);
      port = impl_->pool.acquire(impl_->clock.now());
    }
    if (!port) return core::makeError(core::ErrorCode::kUnavailable, "no free RTP port");
    std::uniform_int_distribution<std::uint32_t> any;
    thread_local std::mt19937 random{std::random_device{}()};
    auto leg = std::make_shared<Leg>(t.io, impl_->makeId(t.index), call, *port, any(random),
                                     static_cast<std::uint16_t>(any(random)), any(random));
    leg->v6 = address.is_v6();
    auto bind = [&](udp::socket& s, std::uint16_t p) {
      s.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
      if (ec) return false;
      s.bind(udp::endpoint(address, p), ec);
      if (ec) return false;
      s.non_blocking(true, ec);
      const int on = 1;  // kernel receive timestamps: the relay delay we add (docs/media.md)
      ::setsockopt(s.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
      s.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(options_.socket_buffer_bytes)), ec);
      s.set_option(asio::socket_base::send_buffer_size(static_cast<int>(options_.socket_buffer_bytes)), ec);
      return true;
    };
    if (!bind(leg->rtp, *port) || !bind(leg->rtcp, static_cast<std::uint16_t>(*port + 1))) {
      std::lock_guard lock(impl_->pool_mutex);
      impl_->pool.setAside(*port, impl_->clock.now());  // another program has it
      continue;
    }
    const MediaLegId id = leg->id;
    const std::uint16_t bound = *port;
    t.counters.legs.fetch_add(1, std::memory_order_relaxed);
    asio::post(t.io, [impl = impl_.get(), &t, leg = std::move(leg)] {
      auto cit = t.calls.find(leg->call);
      if (impl->stopped || cit == t.calls.end()) {  // stopping, or the call is gone already
        leg->open = false;
        impl->releasePort(leg->port);
        t.counters.legs.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      cit->second.legs.push_back(leg);
      leg->owner = &cit->second;
      t.legs[leg->id] = leg;
      leg->next_rtcp = impl->clock.now() + impl->options.rtcp_interval;
      impl->watch(t, *leg);
    });
    return OpenedLeg{id, bound};
  }
  return core::makeError(core::ErrorCode::kUnavailable, "could not bind an RTP port pair");
}

void MediaEngine::configure(MediaLegId id, LegMediaParams params) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, params = std::move(params)] {
    Leg* leg = impl->findLeg(t, id);
    if (leg == nullptr) return;
    const auto remote = toSockAddr(params.remote_address, params.remote_port, leg->v6);
    const bool moved = !remote || !leg->sdp_remote.valid() || !sameAddress(leg->sdp_remote, remote->storage);
    if (moved) {
      // A new address in the SDP: latch again (symmetric RTP starts over).
      leg->latched = SockAddr{};
      leg->rtcp_remote = SockAddr{};
    }
    leg->sdp_remote = remote.value_or(SockAddr{});
    const bool codec_changed = leg->configured && leg->params.codec != params.codec;
    // The silence before the first packet, and a hold just ended, do not count towards
    // the media timeout.
    if (!leg->configured || (params.receive && !leg->params.receive)) leg->last_rtp = impl->clock.now();
    leg->params = params;
    if (codec_changed) leg->out.restart();
    leg->configured = true;
  });
}

void MediaEngine::bridge(MediaLegId a, MediaLegId b) {
  if ((a & 0xFF) != (b & 0xFF)) {
    core::logError("media bridge across threads refused");
    return;
  }
  impl_->onThreadOf(a, [impl = impl_.get(), &t = impl_->threadOf(a), a, b] {
    Leg* x = impl->findLeg(t, a);
    Leg* y = impl->findLeg(t, b);
    if (x == nullptr || y == nullptr || x == y) return;
    for (Leg* l : {x, y}) {
      if (l->peer != nullptr) l->peer->peer = nullptr;
    }
    x->peer = y;
    y->peer = x;
  });
}

void MediaEngine::unbridge(MediaLegId id) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id] {
    Leg* leg = impl->findLeg(t, id);
    if (leg == nullptr || leg->peer == nullptr) return;
    leg->peer->peer = nullptr;
    leg->peer = nullptr;
  });
}

void MediaEngine::play(MediaLegId id, std::vector<PromptRef> sequence, bool loop, bool interruptible,
                       std::uint64_t play_id) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, sequence = std::move(sequence), loop,
                         interruptible, play_id]() mutable {
    if (Leg* leg = impl->findLeg(t, id)) leg->player.start(std::move(sequence), loop, interruptible, play_id);
  });
}

void MediaEngine::stopPlay(MediaLegId id) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id] {
    if (Leg* leg = impl->findLeg(t, id)) leg->player.stop();
  });
}

void MediaEngine::sendDigits(MediaLegId id, std::string digits) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, digits = std::move(digits)] {
    Leg* leg = impl->findLeg(t, id);
    if (leg == nullptr) return;
    for (char c : digits) {
      if (dtmfEvent(c) && leg->digits.size() < 64) leg->digits.push_back(c);
    }
  });
}

void MediaEngine::startRecording(MediaCallId id, std::string path, MediaLegId customer, MediaLegId agent) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, path = std::move(path), customer,
                         agent]() mutable {
    auto it = t.calls.find(id);
    if (it == t.calls.end() || it->second.recorder || !impl->writer) return;
    Call& call = it->second;
    call.recorder = std::make_unique<CallRecorder>();
    {
      // Under the lock: the writer may fail the open before we note whose it is.
      std::lock_guard lock(impl->failed_mutex);
      call.recording = impl->writer->open(path);
      impl->recording_calls[call.recording] = id;
    }
    call.recording_path = std::move(path);
    call.customer = customer;
    call.agent = agent;
    t.counters.recordings.fetch_add(1, std::memory_order_relaxed);
  });
}

void MediaEngine::recordAgentLeg(MediaCallId id, MediaLegId agent) {
  impl_->onThreadOf(id, [&t = impl_->threadOf(id), id, agent] {
    auto it = t.calls.find(id);
    if (it != t.calls.end()) it->second.agent = agent;
  });
}

void MediaEngine::stopRecording(MediaCallId id, std::function<void(RecordingDone)> done) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, done = std::move(done)]() mutable {
    auto it = t.calls.find(id);
    if (it == t.calls.end()) {
      if (done) done(RecordingDone{false, 0, {}, "no such call"});
      return;
    }
    impl->doStopRecording(t, it->second, std::move(done));
  });
}

void MediaEngine::closeLeg(MediaLegId id, std::function<void(LegMediaStats)> done) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, done = std::move(done)]() mutable {
    auto it = t.legs.find(id);
    if (it == t.legs.end()) {
      if (done) done(LegMediaStats{});
      return;
    }
    auto leg = it->second;
    impl->doClose(t, leg, std::move(done));
  });
}

void MediaEngine::closeCall(MediaCallId id, std::function<void(RecordingDone)> done) {
  impl_->onThreadOf(id, [impl = impl_.get(), &t = impl_->threadOf(id), id, done = std::move(done)]() mutable {
    auto it = t.calls.find(id);
    if (it == t.calls.end()) {
      if (done) done(RecordingDone{false, 0, {}, "no such call"});
      return;
    }
    if (it->second.recorder) {
      impl->doStopRecording(t, it->second, std::move(done));
    } else if (done) {
      done(RecordingDone{false, 0, {}, "not recording"});
    }
    auto legs = it->second.legs;
    for (auto& leg : legs) impl->doClose(t, leg, {});
    t.calls.erase(id);
    t.call_count.fetch_sub(1);
    t.counters.calls.fetch_sub(1, std::memory_order_relaxed);
  });
}

MediaCounts MediaEngine::counts() const {
  MediaCounts c;
  for (const auto& t : impl_->threads) {
    c.legs += t->counters.legs.load(std::memory_order_relaxed);
    c.calls += t->counters.calls.load(std::memory_order_relaxed);
    c.recordings += t->counters.recordings.load(std::memory_order_relaxed);
    c.packets_in += t->counters.packets_in.load(std::memory_order_relaxed);
    c.packets_out += t->counters.packets_out.load(std::memory_order_relaxed);
    c.bad_packets += t->counters.bad.load(std::memory_order_relaxed);
    c.timeouts += t->counters.timeouts.load(std::memory_order_relaxed);
    c.rtcp_in += t->counters.rtcp_in.load(std::memory_order_relaxed);
    c.rtcp_out += t->counters.rtcp_out.load(std::memory_order_relaxed);
  }
  {
    std::lock_guard lock(impl_->pool_mutex);
    c.ports_in_use = impl_->pool.inUse();
    c.ports_capacity = impl_->pool.capacity();
  }
  c.recordings_failed = impl_->recordings_failed.load(std::memory_order_relaxed);
  DelayHistogram delay;
  for (const auto& t : impl_->threads) {
    std::lock_guard lock(t->delay_mutex);
    delay.add(t->delay_last_window);
  }
  c.relayed_in_window = delay.count();
  c.relay_delay_p50_us = delay.quantile(0.50);
  c.relay_delay_p99_us = delay.quantile(0.99);
  c.relay_delay_max_us = delay.max();
  return c;
}

}  // namespace sb::media
