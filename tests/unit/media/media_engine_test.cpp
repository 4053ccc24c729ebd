// The media engine through its real interface: real UDP sockets on 127.0.0.1, the
// phones simulated by plain sockets in the test. Nothing here sleeps and hopes: every
// wait polls a socket or a condition against a deadline and then asserts.
#include "media/media_engine.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <numbers>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "media/g711.hpp"
#include "media/rtcp_packet.hpp"
#include "media/rtp_packet.hpp"
#include "media/telephone_event.hpp"
#include "media/wav.hpp"

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kPcmuPt = 0;
constexpr std::uint8_t kPcmaPt = 8;
constexpr std::uint8_t kEventPt = 101;
constexpr auto kWait = 2s;  // the longest any single expected thing may take

// ---------------------------------------------------------------------------------------
// Test process helpers

// Our engines' ports: a random even block in 41000-41999 per test process, so parallel
// test processes rarely meet (and when they do, the engine's bind retry copes).
std::uint16_t portBase() {
  static const std::uint16_t base = [] {
    std::mt19937 random{std::random_device{}()};
    return static_cast<std::uint16_t>(41000 + 2 * std::uniform_int_distribution<int>(0, 399)(random));
  }();
  return base;
}

std::filesystem::path uniqueTempDir(const std::string& what) {
  static std::atomic<int> n{0};
  std::mt19937_64 random{std::random_device{}()};
  auto dir = std::filesystem::temp_directory_path() /
             ("sb-media-engine-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" +
              std::to_string(random() % 1000000));
  std::filesystem::create_directories(dir);
  return dir;
}

template <typename Predicate>
bool eventually(Predicate p, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  while (!p()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A phone: one UDP socket on 127.0.0.1.
class Phone {
 public:
  explicit Phone(std::uint16_t port = 0) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    bound_ = bindTo(port);
  }
  ~Phone() {
    if (fd_ >= 0) ::close(fd_);
  }
  Phone(const Phone&) = delete;
  Phone& operator=(const Phone&) = delete;

  bool bound() const { return bound_; }
  std::uint16_t port() const {
    sockaddr_in a{};
    socklen_t n = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n);
    return ntohs(a.sin_port);
  }
  void sendTo(std::uint16_t port, std::span<const std::uint8_t> bytes) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(bytes.size()));
  }
  // The next datagram within `timeout`, or nothing.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    Bytes buffer(2048);
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }
  void drain() const {
    while (receive(0ms)) {
    }
  }

 private:
  bool bindTo(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  }
  int fd_ = -1;
  bool bound_ = false;
};

// A phone whose RTCP port is its RTP port + 1 (what the engine assumes without a=rtcp).
struct PhonePair {
  std::unique_ptr<Phone> rtp;
  std::unique_ptr<Phone> rtcp;
};
PhonePair makePhonePair() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto rtp = std::make_unique<Phone>();
    const std::uint16_t port = rtp->port();
    if (port % 2 != 0 || port == 65535) continue;
    auto rtcp = std::make_unique<Phone>(static_cast<std::uint16_t>(port + 1));
    if (rtcp->bound()) return PhonePair{std::move(rtp), std::move(rtcp)};
  }
  ADD_FAILURE() << "no adjacent port pair";
  return {};
}

Bytes makeRtp(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc,
              std::span<const std::uint8_t> payload, bool marker = false) {
  Bytes out(kRtpHeaderBytes + payload.size());
  RtpHeaderFields f;
  f.payload_type = pt;
  f.marker = marker;
  f.sequence = seq;
  f.timestamp = ts;
  f.ssrc = ssrc;
  auto n = writeRtp(out, f, payload);
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

Bytes filled(std::size_t n, std::uint8_t value) {
  return Bytes(n, value);
}

// A received RTP packet, copied out of its datagram.
struct Received {
  bool marker = false;
  std::uint8_t pt = 0;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::uint32_t ssrc = 0;
  Bytes payload;
};

std::optional<Received> receiveRtp(const Phone& phone, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) return std::nullopt;
    auto bytes = phone.receive(left);
    if (!bytes) return std::nullopt;
    auto p = parseRtp(*bytes);
    if (!p || classifyPacket(*bytes) != PacketKind::kRtp) continue;  // not RTP: skip
    return Received{p->marker, p->payload_type, p->sequence, p->timestamp, p->ssrc,
                    Bytes(p->payload.begin(), p->payload.end())};
  }
}

// A tone in μ-law or A-law, phase-continuous across frames.
class Tone {
 public:
  Tone(double hz, Codec codec) : hz_(hz), codec_(codec) {}
  Bytes frame(std::size_t samples = kFrameSamples) {
    Bytes out(samples);
    for (auto& b : out) {
      const double v = 10000.0 * std::sin(2 * std::numbers::pi * hz_ * static_cast<double>(n_++) / kSampleRate);
      const auto s = static_cast<std::int16_t>(std::lround(v));
      b = codec_ == Codec::kPcmu ? linearToUlaw(s) : linearToAlaw(s);
    }
    return out;
  }

 private:
  double hz_;
  Codec codec_;
  std::uint64_t n_ = 0;
};

double goertzelPower(std::span<const std::int16_t> x, double hz) {
  const double k = 2 * std::cos(2 * std::numbers::pi * hz / kSampleRate);
  double s1 = 0, s2 = 0;
  for (std::int16_t v : x) {
    const double s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

// ---------------------------------------------------------------------------------------
// Listener

class RecordingListener final : public MediaEventListener {
 public:
  void onDigit(MediaLegId leg, char digit) override {
    std::lock_guard lock(mutex_);
    digits.emplace_back(leg, digit);
    changed_.notify_all();
  }
  void onPlayFinished(MediaLegId leg, std::uint64_t play_id) override {
    std::lock_guard lock(mutex_);
    finished.emplace_back(leg, play_id);
    changed_.notify_all();
  }
  void onMediaTimeout(MediaLegId leg) override {
    std::lock_guard lock(mutex_);
    timeouts.emplace_back(leg, Clock::now());
    changed_.notify_all();
  }
  void onRecordingFailed(MediaCallId call, const std::string& error) override {
    std::lock_guard lock(mutex_);
    failed.emplace_back(call, error);
    changed_.notify_all();
  }

  // Waits until `p` (called under the lock) holds.
  template <typename Predicate>
  bool waitFor(Predicate p, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return p(*this); });
  }
  template <typename F>
  auto read(F f) {
    std::lock_guard lock(mutex_);
    return f(*this);
  }

  std::vector<std::pair<MediaLegId, char>> digits;
  std::vector<std::pair<MediaLegId, std::uint64_t>> finished;
  std::vector<std::pair<MediaLegId, Clock::time_point>> timeouts;
  std::vector<std::pair<MediaCallId, std::string>> failed;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

LegMediaParams params(std::uint16_t remote_port, Codec codec = Codec::kPcmu,
                      std::optional<std::uint8_t> event_pt = std::nullopt) {
  LegMediaParams p;
  p.codec = codec;
  p.payload_type = codec == Codec::kPcmu ? kPcmuPt : kPcmaPt;
  p.telephone_event_payload_type = event_pt;
  p.remote_address = "127.0.0.1";
  p.remote_port = remote_port;
  return p;
}

// ---------------------------------------------------------------------------------------
// Fixture: one started engine per test.

class MediaEngineTest : public ::testing::Test {
 protected:
  MediaEngineOptions defaultOptions() {
    MediaEngineOptions o;
    o.bind_address = "127.0.0.1";
    o.port_low = portBase();
    o.port_high = static_cast<std::uint16_t>(portBase() + 39);  // 20 pairs
    o.threads = 2;
    o.media_timeout = 30s;
    o.rtcp_interval = 200ms;
    o.recordings_dir = (dir_ / "recordings").string();
    return o;
  }

  void startEngine(MediaEngineOptions o) {
    engine_ = std::make_unique<MediaEngine>(std::move(o), listener_, clock_);
    auto started = engine_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void SetUp() override { dir_ = uniqueTempDir("test"); }

  void TearDown() override {
    if (engine_) {
      engine_->stop();
      const MediaCounts c = engine_->counts();
      EXPECT_EQ(c.legs, 0u);
      EXPECT_EQ(c.ports_in_use, 0u);
      engine_.reset();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  MediaEngine::OpenedLeg open(MediaCallId call) {
    auto leg = engine_->openLeg(call);
    EXPECT_TRUE(leg.ok()) << (leg.ok() ? "" : leg.error().message);
    return leg.ok() ? *leg : MediaEngine::OpenedLeg{};
  }

  // The statistics of a leg as it closes.
  std::optional<LegMediaStats> closeLeg(MediaLegId leg) {
    auto promise = std::make_shared<std::promise<LegMediaStats>>();
    auto future = promise->get_future();
    engine_->closeLeg(leg, [promise](LegMediaStats s) { promise->set_value(s); });
    if (future.wait_for(kWait) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  std::optional<RecordingDone> closeCall(MediaCallId call) {
    auto promise = std::make_shared<std::promise<RecordingDone>>();
    auto future = promise->get_future();
    engine_->closeCall(call, [promise](RecordingDone d) { promise->set_value(std::move(d)); });
    if (future.wait_for(5s) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  // Waits until the engine took in `n` more datagrams than `before` (it has then handled
  // them: the counter is bumped on the media thread right before they are processed,
  // and whatever we post afterwards runs after that).
  bool packetsIn(std::uint64_t before, std::uint64_t n) {
    return eventually([&] { return engine_->counts().packets_in >= before + n; });
  }

  PromptRef tonePrompt(double hz, double seconds) {
    std::vector<std::int16_t> samples(static_cast<std::size_t>(seconds * kSampleRate));
    for (std::size_t i = 0; i < samples.size(); ++i) {
      samples[i] = static_cast<std::int16_t>(
          std::lround(8000.0 * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / kSampleRate)));
    }
    const auto bytes = encodePcm16Wav(samples, 1, kSampleRate);
    const auto path = dir_ / ("tone" + std::to_string(static_cast<int>(hz)) + ".wav");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    auto prompt = loadPrompt(path.string(), "tone");
    EXPECT_TRUE(prompt.ok()) << (prompt.ok() ? "" : prompt.error().message);
    return prompt.ok() ? *prompt : nullptr;
  }

  std::filesystem::path dir_;
  core::SystemClock clock_;
  RecordingListener listener_;
  std::unique_ptr<MediaEngine> engine_;
};

// ---------------------------------------------------------------------------------------
// 2. Relay

TEST_F(MediaEngineTest, RelaysBetweenBridgedLegsWithOurSsrcAndContinuousNumbering) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  ASSERT_NE(a.id, 0u);
  ASSERT_NE(b.id, 0u);
  EXPECT_NE(a.port, b.port);
  EXPECT_EQ(a.port % 2, 0);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);

  constexpr std::uint32_t kSsrcA = 0xAAAA0001;
  std::vector<Received> got;
  for (std::uint16_t i = 0; i < 5; ++i) {
    Bytes payload(kFrameSamples);
    for (std::size_t k = 0; k < payload.size(); ++k) payload[k] = static_cast<std::uint8_t>(i * 31 + k);
    phone_a.sendTo(a.port, makeRtp(kPcmuPt, static_cast<std::uint16_t>(1000 + i), 5000 + 160u * i, kSsrcA, payload));
    auto r = receiveRtp(phone_b);
    ASSERT_TRUE(r) << "packet " << i << " not relayed";
    EXPECT_EQ(r->pt, kPcmuPt);
    EXPECT_NE(r->ssrc, kSsrcA);
    EXPECT_EQ(r->payload, payload) << i;
    got.push_back(*r);
  }
  EXPECT_TRUE(got[0].marker);
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ssrc, got[0].ssrc);
    EXPECT_EQ(got[i].seq, static_cast<std::uint16_t>(got[0].seq + i));
    EXPECT_EQ(got[i].ts, got[0].ts + 160 * static_cast<std::uint32_t>(i));
    EXPECT_FALSE(got[i].marker);
  }

  // And the other way, with B's own outgoing SSRC towards A.
  const Bytes back = filled(kFrameSamples, 0x42);
  phone_b.sendTo(b.port, makeRtp(kPcmuPt, 7, 70, 0xBBBB0001, back));
  auto r = receiveRtp(phone_a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload, back);
  EXPECT_NE(r->ssrc, 0xBBBB0001u);
  EXPECT_NE(r->ssrc, got[0].ssrc);

  const auto stats_a = closeLeg(a.id);
  ASSERT_TRUE(stats_a);
  EXPECT_EQ(stats_a->packets_received, 5u);
  EXPECT_EQ(stats_a->packets_sent, 1u);
  EXPECT_EQ(stats_a->bad_packets, 0u);
  const auto stats_b = closeLeg(b.id);
  ASSERT_TRUE(stats_b);
  EXPECT_EQ(stats_b->packets_sent, 5u);
  EXPECT_EQ(stats_b->bytes_sent, 5u * (kRtpHeaderBytes + kFrameSamples));
  engine_->closeCall(call);
}

TEST_F(MediaEngineTest, TranscodesPcmuToPcmaAndBack) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu));
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcma));
  engine_->bridge(a.id, b.id);

  // Every code once, over two packets.
  for (int half = 0; half < 2; ++half) {
    Bytes ulaw(128);
    for (std::size_t k = 0; k < ulaw.size(); ++k) ulaw[k] = static_cast<std::uint8_t>(half * 128 + k);
    phone_a.sendTo(a.port, makeRtp(kPcmuPt, static_cast<std::uint16_t>(half), 128u * half, 0xA1, ulaw));
    auto r = receiveRtp(phone_b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->pt, kPcmaPt);  // B's payload type
    Bytes expected(ulaw.size());
    transcodeUlawToAlaw(ulaw, expected);
    EXPECT_EQ(r->payload, expected);
  }
  Tone tone(440, Codec::kPcma);
  const Bytes alaw = tone.frame();
  phone_b.sendTo(b.port, makeRtp(kPcmaPt, 1, 0, 0xB1, alaw));
  auto r = receiveRtp(phone_a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pt, kPcmuPt);
  Bytes expected(alaw.size());
  transcodeAlawToUlaw(alaw, expected);
  EXPECT_EQ(r->payload, expected);
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, NothingIsRelayedBeforeTheBridgeOrAfterUnbridge) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, params(phone_b.port()));
  const Bytes payload = filled(kFrameSamples, 0x11);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, payload));
  EXPECT_FALSE(receiveRtp(phone_b, 300ms));
  engine_->bridge(a.id, b.id);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 2, 160, 0xA, payload));
  EXPECT_TRUE(receiveRtp(phone_b));
  engine_->unbridge(b.id);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 3, 320, 0xA, payload));
  EXPECT_FALSE(receiveRtp(phone_b, 300ms));
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 3. Symmetric RTP

TEST_F(MediaEngineTest, SymmetricRtpLatchesOnTheFirstSourceAndDropsOthers) {
  startEngine(defaultOptions());
  Phone sdp_socket, real_socket, phone_b, stranger;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(sdp_socket.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);

  // Before A sent anything, its audio goes where its SDP says.
  phone_b.sendTo(b.port, makeRtp(kPcmuPt, 1, 0, 0xB, filled(kFrameSamples, 1)));
  ASSERT_TRUE(receiveRtp(sdp_socket));

  // The phone really sends from another port (NAT): that is where A's audio goes now.
  real_socket.sendTo(a.port, makeRtp(kPcmuPt, 100, 0, 0xA, filled(kFrameSamples, 2)));
  ASSERT_TRUE(receiveRtp(phone_b));
  phone_b.sendTo(b.port, makeRtp(kPcmuPt, 2, 160, 0xB, filled(kFrameSamples, 3)));
  auto r = receiveRtp(real_socket);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload, filled(kFrameSamples, 3));
  EXPECT_FALSE(receiveRtp(sdp_socket, 200ms));

  // A third party's packet is dropped and counted.
  const std::uint64_t bad_before = engine_->counts().bad_packets;
  stranger.sendTo(a.port, makeRtp(kPcmuPt, 101, 160, 0xA, filled(kFrameSamples, 4)));
  EXPECT_TRUE(eventually([&] { return engine_->counts().bad_packets == bad_before + 1; }));
  EXPECT_FALSE(receiveRtp(phone_b, 200ms));

  // The latched phone still gets through.
  real_socket.sendTo(a.port, makeRtp(kPcmuPt, 102, 320, 0xA, filled(kFrameSamples, 5)));
  r = receiveRtp(phone_b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload, filled(kFrameSamples, 5));

  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->bad_packets, 1u);
  EXPECT_EQ(stats->packets_received, 2u);
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, ANewSdpAddressLatchesAgain) {
  startEngine(defaultOptions());
  Phone first, second, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(first.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);
  first.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1)));
  ASSERT_TRUE(receiveRtp(phone_b));
  // Re-INVITE: the phone moved to `second`.
  engine_->configure(a.id, params(second.port()));
  second.sendTo(a.port, makeRtp(kPcmuPt, 2, 160, 0xA, filled(kFrameSamples, 2)));
  ASSERT_TRUE(receiveRtp(phone_b));
  phone_b.sendTo(b.port, makeRtp(kPcmuPt, 1, 0, 0xB, filled(kFrameSamples, 3)));
  ASSERT_TRUE(receiveRtp(second));
  EXPECT_FALSE(receiveRtp(first, 200ms));
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 4. Validation

TEST_F(MediaEngineTest, InvalidPacketsAreDroppedCountedAndNotRelayed) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcmu, kEventPt));
  engine_->bridge(a.id, b.id);

  std::vector<Bytes> bad;
  bad.push_back(Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!'});  // garbage
  bad.push_back(Bytes{0x00, 0x01, 0x00, 0x00});                                       // looks like STUN
  bad.push_back(Bytes{});                                                             // empty datagram
  {
    Bytes v1 = makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1));
    v1[0] = static_cast<std::uint8_t>((v1[0] & 0x3F) | 0x40);  // version 1
    bad.push_back(v1);
  }
  {
    Bytes truncated = makeRtp(kPcmuPt, 2, 0, 0xA, filled(kFrameSamples, 1));
    truncated.resize(8);  // a header cut short
    bad.push_back(truncated);
  }
  {
    Bytes csrc = makeRtp(kPcmuPt, 3, 0, 0xA, {});
    csrc[0] = static_cast<std::uint8_t>(csrc[0] | 0x0F);  // 15 CSRCs that are not there
    bad.push_back(csrc);
  }
  bad.push_back(makeRtp(18, 4, 0, 0xA, filled(kFrameSamples, 1)));             // G.729: not negotiated
  bad.push_back(makeRtp(kPcmaPt, 5, 0, 0xA, filled(kFrameSamples, 1)));        // PCMA: not negotiated
  bad.push_back(makeRtp(kPcmuPt, 6, 0, 0xA, filled(kMaxFrameSamples + 1, 1)));  // > 60 ms of G.711
  bad.push_back(Bytes(1800, 0x80));                                             // beyond one datagram buffer
  {
    // RTCP on the RTP port without rtcp-mux.
    std::array<std::uint8_t, 64> buffer{};
    RtcpWriter w(buffer);
    ASSERT_TRUE(w.addReceiverReport(0xA, {}));
    bad.emplace_back(w.bytes().begin(), w.bytes().end());
  }
  const std::size_t counted_bad = bad.size();

  const MediaCounts before = engine_->counts();
  for (const Bytes& p : bad) phone_a.sendTo(a.port, p);
  ASSERT_TRUE(packetsIn(before.packets_in, bad.size()));
  EXPECT_TRUE(eventually([&] { return engine_->counts().bad_packets >= before.bad_packets + counted_bad; }))
      << engine_->counts().bad_packets - before.bad_packets;
  EXPECT_FALSE(receiveRtp(phone_b, 300ms)) << "an invalid packet was relayed";

  // Comfort noise is accepted (keeps the leg alive) but not relayed.
  phone_a.sendTo(a.port, makeRtp(13, 8, 0, 0xA, Bytes{40}));
  EXPECT_FALSE(receiveRtp(phone_b, 200ms));

  // Still alive: a good packet goes through.
  const Bytes good = filled(kFrameSamples, 0x77);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 9, 0, 0xA, good));
  auto r = receiveRtp(phone_b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload, good);

  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->packets_received, 1u);  // the good one
  EXPECT_EQ(stats->bad_packets, counted_bad);
  EXPECT_EQ(engine_->counts().bad_packets - before.bad_packets, counted_bad);
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 5. Continuity across source switches

TEST_F(MediaEngineTest, OutgoingStreamStaysContinuousAcrossRelayPromptRelay) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);
  const PromptRef prompt = tonePrompt(500, 0.2);
  ASSERT_TRUE(prompt);

  // Phone A talks every 20 ms with a payload the prompt never has.
  constexpr std::uint8_t kVoice = 0x5A;
  std::atomic<bool> talking{true};
  std::thread talker([&] {
    std::uint16_t seq = 40000;
    std::uint32_t ts = 123;
    auto next = Clock::now();
    while (talking) {
      phone_a.sendTo(a.port, makeRtp(kPcmuPt, seq++, ts, 0xA, filled(kFrameSamples, kVoice)));
      ts += 160;
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
  });

  std::vector<Received> got;
  auto collect = [&](bool voice, std::size_t n) {
    std::size_t seen = 0;
    const auto deadline = Clock::now() + 4s;
    while (seen < n && Clock::now() < deadline) {
      auto r = receiveRtp(phone_b, 500ms);
      if (!r) continue;
      const bool is_voice = r->payload == filled(kFrameSamples, kVoice);
      if (is_voice == voice) ++seen;
      got.push_back(std::move(*r));
    }
    return seen == n;
  };
  const bool relayed_first = collect(true, 8);
  engine_->play(b.id, {prompt}, /*loop=*/true, /*interruptible=*/false, 1);
  const bool prompt_played = collect(false, 12);
  engine_->stopPlay(b.id);
  const bool relayed_again = collect(true, 8);
  talking = false;
  talker.join();
  ASSERT_TRUE(relayed_first);
  ASSERT_TRUE(prompt_played);
  ASSERT_TRUE(relayed_again);

  std::size_t switches = 0;
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ssrc, got[0].ssrc) << i;
    EXPECT_EQ(got[i].seq, static_cast<std::uint16_t>(got[i - 1].seq + 1)) << "at packet " << i;
    EXPECT_GT(static_cast<std::int32_t>(got[i].ts - got[i - 1].ts), 0) << "timestamp went back at " << i;
    const bool voice = got[i].payload == filled(kFrameSamples, kVoice);
    const bool was_voice = got[i - 1].payload == filled(kFrameSamples, kVoice);
    if (voice != was_voice) {
      ++switches;
      EXPECT_TRUE(got[i].marker) << "no marker on the switch at packet " << i;
    }
  }
  EXPECT_EQ(switches, 2u);  // relay → prompt → relay
  EXPECT_TRUE(listener_.read([](auto& l) { return l.finished.empty(); }));  // stopped: not finished
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, APromptPlayedToItsEndIsReportedAndTheBridgeResumes) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcma));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);
  const PromptRef prompt = tonePrompt(1000, 0.1);  // 5 frames
  engine_->play(a.id, {prompt}, false, false, 77);
  ASSERT_TRUE(listener_.waitFor([&](auto& l) { return !l.finished.empty(); }));
  EXPECT_EQ(listener_.read([](auto& l) { return l.finished[0]; }), std::make_pair(a.id, std::uint64_t{77}));
  std::size_t frames = 0;
  while (auto r = receiveRtp(phone_a, 100ms)) {
    EXPECT_EQ(r->pt, kPcmaPt);
    EXPECT_EQ(r->payload.size(), kFrameSamples);
    // The prompt's A-law frames, as loaded.
    if (frames < 5) {
      const auto expected = prompt->encoded(Codec::kPcma).subspan(frames * kFrameSamples, kFrameSamples);
      EXPECT_TRUE(std::equal(expected.begin(), expected.end(), r->payload.begin())) << frames;
    }
    ++frames;
  }
  EXPECT_EQ(frames, 5u);
  phone_b.sendTo(b.port, makeRtp(kPcmuPt, 1, 0, 0xB, filled(kFrameSamples, 0xFF)));
  auto r = receiveRtp(phone_a);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->marker);
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 6. DTMF

Bytes eventPacket(std::uint8_t event, bool end, std::uint16_t duration, std::uint16_t seq, std::uint32_t ts,
                  bool marker) {
  TelephoneEvent e;
  e.event = event;
  e.end = end;
  e.volume = 10;
  e.duration = duration;
  const auto payload = serializeTelephoneEvent(e);
  return makeRtp(kEventPt, seq, ts, 0xA, payload, marker);
}

TEST_F(MediaEngineTest, OneKeyPressGivesOneDigit) {
  startEngine(defaultOptions());
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  std::uint16_t seq = 10;
  auto press = [&](std::uint32_t ts) {
    phone_a.sendTo(a.port, eventPacket(5, false, 160, seq++, ts, true));
    phone_a.sendTo(a.port, eventPacket(5, false, 320, seq++, ts, false));
    phone_a.sendTo(a.port, eventPacket(5, false, 480, seq++, ts, false));
    for (int i = 0; i < 3; ++i) phone_a.sendTo(a.port, eventPacket(5, true, 640, seq++, ts, false));
  };
  press(8000);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.digits.empty(); }));
  // The end retransmissions, and the receiver's own timeout, add nothing.
  EXPECT_FALSE(listener_.waitFor([](auto& l) { return l.digits.size() > 1; }, 800ms));
  EXPECT_EQ(listener_.read([](auto& l) { return l.digits; }),
            (std::vector<std::pair<MediaLegId, char>>{{a.id, '5'}}));
  // The same key again is a new press.
  press(16000);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return l.digits.size() == 2; }));
  EXPECT_FALSE(listener_.waitFor([](auto& l) { return l.digits.size() > 2; }, 600ms));
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, AKeyPressWhoseEndPacketsAreLostIsReportedOnce) {
  startEngine(defaultOptions());
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  phone_a.sendTo(a.port, eventPacket(11, false, 160, 1, 800, true));  // '#'
  phone_a.sendTo(a.port, eventPacket(11, false, 320, 2, 800, false));
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.digits.empty(); }, 3s));
  EXPECT_EQ(listener_.read([](auto& l) { return l.digits[0].second; }), '#');
  EXPECT_FALSE(listener_.waitFor([](auto& l) { return l.digits.size() > 1; }, 700ms));
  ASSERT_TRUE(closeCall(call));
}

struct SentEvent {
  std::uint8_t event = 0;
  std::uint32_t ts = 0;
  bool first_marker = false;
  int packets = 0;
  int end_packets = 0;
  std::uint16_t end_duration = 0;
  Clock::time_point first{}, last{};
};

// Collects telephone-event packets at `phone` until `quiet` passes without one (after at
// least one arrived) or `timeout`; checks the RTP numbering on the way.
std::vector<SentEvent> collectEvents(const Phone& phone, std::chrono::milliseconds quiet,
                                     std::chrono::milliseconds timeout) {
  std::vector<SentEvent> events;
  std::optional<Received> previous;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto r = receiveRtp(phone, events.empty() ? timeout : quiet);
    if (!r) break;
    EXPECT_EQ(r->pt, kEventPt);
    auto e = parseTelephoneEvent(r->payload);
    EXPECT_TRUE(e.ok());
    if (!e.ok()) continue;
    if (previous) {
      EXPECT_EQ(r->ssrc, previous->ssrc);
      EXPECT_EQ(r->seq, static_cast<std::uint16_t>(previous->seq + 1));
    }
    if (events.empty() || events.back().ts != r->ts) {
      if (!events.empty()) {
        EXPECT_GT(static_cast<std::int32_t>(r->ts - events.back().ts), 0);
      }
      events.push_back(SentEvent{e->event, r->ts, r->marker, 0, 0, 0, Clock::now(), {}});
    }
    SentEvent& current = events.back();
    EXPECT_EQ(e->event, current.event) << "one timestamp, two events";
    ++current.packets;
    current.last = Clock::now();
    if (e->end) {
      ++current.end_packets;
      current.end_duration = e->duration;
    } else {
      EXPECT_EQ(current.end_packets, 0) << "an update after an end packet";
    }
    previous = std::move(r);
  }
  return events;
}

TEST_F(MediaEngineTest, SendDigitsSendsTelephoneEventsInOrder) {
  startEngine(defaultOptions());
  Phone phone_b;
  const MediaCallId call = engine_->createCall();
  const auto b = open(call);
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcmu, kEventPt));
  engine_->sendDigits(b.id, "12");
  const auto events = collectEvents(phone_b, 500ms, 3s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, 1);
  EXPECT_EQ(events[1].event, 2);
  for (const SentEvent& e : events) {
    EXPECT_TRUE(e.first_marker);
    EXPECT_GE(e.end_packets, 1);
    EXPECT_EQ(e.end_duration, 960);  // 120 ms
    EXPECT_GE(e.packets, 4);
  }
  ASSERT_TRUE(closeCall(call));
}

// Regression: the last end packet of a digit waits for its send time after the sender is
// no longer busy; it must still go out, and the next digit waits for the pause.
TEST_F(MediaEngineTest, SendDigitsSendsAllThreeEndPacketsAndPausesBetweenDigits) {
  startEngine(defaultOptions());
  Phone phone_b;
  const MediaCallId call = engine_->createCall();
  const auto b = open(call);
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcmu, kEventPt));
  engine_->sendDigits(b.id, "12");
  const auto events = collectEvents(phone_b, 500ms, 3s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].end_packets, 3);
  EXPECT_EQ(events[1].end_packets, 3);
  EXPECT_GE(events[1].first - events[0].last, 60ms) << "no pause between the digits";
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, DigitsFromTheCallerAreRelayedToTheBridgedLeg) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcmu, 96));
  engine_->bridge(a.id, b.id);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1)));
  ASSERT_TRUE(receiveRtp(phone_b));
  phone_a.sendTo(a.port, eventPacket(9, false, 160, 2, 160, true));
  auto r = receiveRtp(phone_b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pt, 96);  // B's telephone-event payload type
  auto e = parseTelephoneEvent(r->payload);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->event, 9);
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 7. RTCP

TEST_F(MediaEngineTest, SendsSenderReportsAndReadsTheRoundTripFromThePhonesReport) {
  startEngine(defaultOptions());
  PhonePair phone_a = makePhonePair();
  ASSERT_TRUE(phone_a.rtp);
  Phone phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.rtp->port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);

  constexpr std::uint32_t kSsrcA = 0xA0A0A0A0;
  std::optional<std::uint32_t> our_ssrc;
  const std::uint64_t packets_before = engine_->counts().packets_in;
  for (std::uint16_t i = 0; i < 5; ++i) {
    phone_a.rtp->sendTo(a.port, makeRtp(kPcmuPt, static_cast<std::uint16_t>(300 + i), 160u * i, kSsrcA,
                                        filled(kFrameSamples, 1)));
    phone_b.sendTo(b.port, makeRtp(kPcmuPt, i, 160u * i, 0xB, filled(kFrameSamples, 2)));
    auto r = receiveRtp(*phone_a.rtp);
    ASSERT_TRUE(r);
    our_ssrc = r->ssrc;
  }

  // Reports made before all 10 packets were in do not count.
  ASSERT_TRUE(packetsIn(packets_before, 10));
  phone_a.rtcp->drain();

  // Our report about A arrives on A's RTCP port (RTP + 1).
  std::optional<RtcpSenderReport> sr;
  std::optional<ReportBlock> about_a;
  Bytes sr_bytes;
  Clock::time_point sr_arrival;
  const auto deadline = Clock::now() + 4s;
  while (!about_a && Clock::now() < deadline) {
    auto bytes = phone_a.rtcp->receive(500ms);
    if (!bytes) continue;
    sr_arrival = Clock::now();
    sr_bytes = *bytes;
    auto compound = parseRtcp(sr_bytes);
    ASSERT_TRUE(compound.ok()) << "our RTCP does not parse";
    bool has_cname = false;
    for (const RtcpPacketView& p : *compound) {
      if (p.type() == static_cast<std::uint8_t>(RtcpType::kSdes)) {
        for (const SdesChunk& c : p.sdes()) has_cname = has_cname || (c.ssrc == *our_ssrc && c.cname);
      }
      if (p.type() != static_cast<std::uint8_t>(RtcpType::kSr)) continue;
      sr = p.senderReport();
      for (std::size_t k = 0; k < sr->blocks.size(); ++k) {
        if (sr->blocks[k].ssrc == kSsrcA) about_a = sr->blocks[k];
      }
    }
    EXPECT_TRUE(has_cname);
  }
  ASSERT_TRUE(about_a) << "no SR with a report block about A";
  EXPECT_EQ(sr->ssrc, *our_ssrc);
  EXPECT_EQ(sr->info.packet_count, 5u);
  EXPECT_EQ(sr->info.octet_count, 5u * kFrameSamples);
  EXPECT_EQ(about_a->highest_sequence & 0xFFFF, 304u);
  EXPECT_EQ(about_a->cumulative_lost, 0);

  // A's receiver report about us: LSR from our SR, DLSR the time A held it (a little
  // less, so rounding can never make the round trip negative).
  const auto held = std::chrono::duration_cast<core::Duration>(Clock::now() - sr_arrival) - 2ms;
  ReportBlock block;
  block.ssrc = *our_ssrc;
  block.fraction_lost = 64;  // 25 %
  block.highest_sequence = 1;
  block.jitter = 80;  // 10 ms
  block.lsr = ntpMiddle32(sr->info.ntp_timestamp);
  block.dlsr = toNtpShort(held.count() > 0 ? held : core::Duration{0});
  std::array<std::uint8_t, 256> buffer{};
  RtcpWriter w(buffer);
  ASSERT_TRUE(w.addReceiverReport(kSsrcA, std::span<const ReportBlock>(&block, 1)));
  ASSERT_TRUE(w.addSdesCname(kSsrcA, "phone-a"));
  const std::uint64_t in_before = engine_->counts().packets_in;
  phone_a.rtcp->sendTo(static_cast<std::uint16_t>(a.port + 1), w.bytes());
  ASSERT_TRUE(packetsIn(in_before, 1));

  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  ASSERT_TRUE(stats->rtt_ms.has_value());
  EXPECT_GE(*stats->rtt_ms, 0.0);
  EXPECT_LT(*stats->rtt_ms, 200.0);
  ASSERT_TRUE(stats->remote_fraction_lost.has_value());
  EXPECT_DOUBLE_EQ(*stats->remote_fraction_lost, 0.25);
  ASSERT_TRUE(stats->remote_jitter_ms.has_value());
  EXPECT_DOUBLE_EQ(*stats->remote_jitter_ms, 10.0);
  EXPECT_EQ(stats->packets_received, 5u);
  EXPECT_EQ(stats->packets_lost, 0);

  // Closing sends a last report with a BYE.
  bool bye = false;
  while (auto bytes = phone_a.rtcp->receive(500ms)) {
    auto compound = parseRtcp(*bytes);
    if (!compound) continue;
    for (const RtcpPacketView& p : *compound) {
      if (p.type() == static_cast<std::uint8_t>(RtcpType::kBye)) bye = bye || p.bye().ssrc(0) == *our_ssrc;
    }
    if (bye) break;
  }
  EXPECT_TRUE(bye);
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, RtcpFromAForeignSourceIsDropped) {
  startEngine(defaultOptions());
  PhonePair phone_a = makePhonePair();
  ASSERT_TRUE(phone_a.rtp);
  Phone stranger;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.rtp->port()));
  std::array<std::uint8_t, 128> buffer{};
  RtcpWriter w(buffer);
  ASSERT_TRUE(w.addReceiverReport(0xA, {}));
  ASSERT_TRUE(w.addSdesCname(0xA, "a"));
  const MediaCounts before = engine_->counts();
  phone_a.rtcp->sendTo(static_cast<std::uint16_t>(a.port + 1), w.bytes());  // latches A's RTCP
  ASSERT_TRUE(packetsIn(before.packets_in, 1));
  stranger.sendTo(static_cast<std::uint16_t>(a.port + 1), w.bytes());
  ASSERT_TRUE(packetsIn(before.packets_in, 2));
  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->bad_packets, 1u);
  EXPECT_EQ(engine_->counts().bad_packets, before.bad_packets + 1);  // engine-wide too
  // Our last report (with BYE) goes to where A's RTCP came from, not to the stranger.
  EXPECT_TRUE(phone_a.rtcp->receive(1000ms));
  EXPECT_FALSE(stranger.receive(200ms));
  ASSERT_TRUE(closeCall(call));
}

// Regression: a payload the RFC 4733 receiver refuses is dropped and counted, not relayed.
TEST_F(MediaEngineTest, AMalformedTelephoneEventIsDroppedAndCounted) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  engine_->configure(b.id, params(phone_b.port(), Codec::kPcmu, kEventPt));
  engine_->bridge(a.id, b.id);
  const MediaCounts before = engine_->counts();
  phone_a.sendTo(a.port, makeRtp(kEventPt, 7, 0, 0xA, Bytes{5, 0x80}));  // 2 bytes, not 4
  ASSERT_TRUE(packetsIn(before.packets_in, 1));
  EXPECT_FALSE(receiveRtp(phone_b, 300ms)) << "a malformed event was relayed";
  EXPECT_EQ(engine_->counts().bad_packets, before.bad_packets + 1);
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 8. Media timeout

TEST_F(MediaEngineTest, SilenceLongerThanTheMediaTimeoutIsReportedOnlyWhenReceiving) {
  auto options = defaultOptions();
  options.media_timeout = 300ms;
  startEngine(options);
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  auto held = params(phone_b.port());
  held.receive = false;  // on hold: the phone sends nothing, and that is fine
  const auto configured = Clock::now();
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, held);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.timeouts.empty(); }, 3s));
  const auto [leg, at] = listener_.read([](auto& l) { return l.timeouts[0]; });
  EXPECT_EQ(leg, a.id);
  EXPECT_GE(at - configured, 300ms);
  EXPECT_LE(at - configured, 300ms + 1100ms);
  // B had at least one more check after its 300 ms: still nothing for it, nor again for A.
  EXPECT_FALSE(listener_.waitFor([](auto& l) { return l.timeouts.size() > 1; }, 1200ms));
  EXPECT_EQ(engine_->counts().timeouts, 1u);
  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->timed_out);
  const auto stats_b = closeLeg(b.id);
  ASSERT_TRUE(stats_b);
  EXPECT_FALSE(stats_b->timed_out);
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, PacketsKeepALegFromTimingOut) {
  auto options = defaultOptions();
  options.media_timeout = 300ms;
  startEngine(options);
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.port()));
  const auto until = Clock::now() + 1500ms;
  std::uint16_t seq = 0;
  while (Clock::now() < until) {
    phone_a.sendTo(a.port, makeRtp(kPcmuPt, seq, 160u * seq, 0xA, filled(kFrameSamples, 1)));
    ++seq;
    if (listener_.waitFor([](auto& l) { return !l.timeouts.empty(); }, 100ms)) break;
  }
  EXPECT_TRUE(listener_.read([](auto& l) { return l.timeouts.empty(); }));
  ASSERT_TRUE(closeCall(call));
}

// ---------------------------------------------------------------------------------------
// 9. Ports

TEST_F(MediaEngineTest, PortsReturnToThePoolAndAFullPoolFailsCleanly) {
  auto options = defaultOptions();
  options.port_high = static_cast<std::uint16_t>(options.port_low + 7);  // 4 pairs
  startEngine(options);
  EXPECT_EQ(engine_->counts().ports_capacity, 4u);
  const MediaCallId call = engine_->createCall();
  std::vector<MediaEngine::OpenedLeg> legs;
  for (int i = 0; i < 4; ++i) legs.push_back(open(call));
  EXPECT_EQ(engine_->counts().ports_in_use, 4u);
  EXPECT_EQ(engine_->counts().legs, 4u);
  auto refused = engine_->openLeg(call);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(engine_->counts().ports_in_use, 4u);

  ASSERT_TRUE(closeLeg(legs[0].id));
  EXPECT_EQ(engine_->counts().ports_in_use, 3u);
  EXPECT_EQ(engine_->counts().legs, 3u);
  legs[0] = open(call);  // the freed pair is usable again
  EXPECT_NE(legs[0].id, 0u);

  // A second call's legs, closed with their call.
  const MediaCallId other = engine_->createCall();
  EXPECT_FALSE(engine_->openLeg(other).ok());
  ASSERT_TRUE(closeCall(call));
  EXPECT_TRUE(eventually([&] { return engine_->counts().ports_in_use == 0; }));
  EXPECT_EQ(engine_->counts().legs, 0u);
  const auto again = open(other);
  EXPECT_NE(again.id, 0u);
  ASSERT_TRUE(closeCall(other));
  EXPECT_TRUE(eventually([&] {
    const auto c = engine_->counts();
    return c.ports_in_use == 0 && c.legs == 0 && c.calls == 0;
  }));
  // Closing what is gone already does nothing bad.
  engine_->closeLeg(legs[1].id);
  engine_->closeCall(call);
  EXPECT_EQ(engine_->openLeg(0).ok(), false);
}

// Regression: a port another program holds is set aside, not retried on every open.
TEST_F(MediaEngineTest, APortThatCannotBeBoundIsSetAside) {
  auto options = defaultOptions();
  options.port_high = static_cast<std::uint16_t>(options.port_low + 1);  // 1 pair
  Phone squatter(options.port_low);
  ASSERT_TRUE(squatter.bound());
  startEngine(options);
  const MediaCallId call = engine_->createCall();
  auto first = engine_->openLeg(call);
  ASSERT_FALSE(first.ok());
  auto second = engine_->openLeg(call);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message, "no free RTP port");
  engine_->closeCall(call);
}

// ---------------------------------------------------------------------------------------
// 10. Recording

TEST_F(MediaEngineTest, RecordsTheCustomerLeftAndTheAgentRight) {
  startEngine(defaultOptions());
  Phone customer, agent;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(customer.port(), Codec::kPcmu));
  engine_->configure(b.id, params(agent.port(), Codec::kPcma));
  engine_->bridge(a.id, b.id);
  const std::string path = (dir_ / "recordings" / "2026" / "call.wav").string();
  engine_->startRecording(call, path, a.id, b.id);
  ASSERT_TRUE(eventually([&] { return engine_->counts().recordings == 1; }));

  Tone low(1000, Codec::kPcmu), high(2000, Codec::kPcma);
  const auto began = Clock::now();
  auto next = began;
  for (std::uint16_t i = 0; i < 50; ++i) {
    customer.sendTo(a.port, makeRtp(kPcmuPt, i, 160u * i, 0xC, low.frame()));
    agent.sendTo(b.port, makeRtp(kPcmaPt, i, 160u * i, 0xD, high.frame()));
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
  const auto talk = Clock::now() - began;
  const auto done = closeCall(call);
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->ok) << done->error;
  EXPECT_EQ(done->path, path);
  const double talk_frames = std::chrono::duration<double>(talk).count() * kSampleRate;
  EXPECT_GE(static_cast<double>(done->frames), 0.9 * talk_frames);
  EXPECT_LE(static_cast<double>(done->frames), talk_frames + 0.5 * kSampleRate);
  EXPECT_EQ(done->frames % kFrameSamples, 0u);
  EXPECT_TRUE(listener_.read([](auto& l) { return l.failed.empty(); }));

  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in);
  const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto wav = parseWav(file);
  ASSERT_TRUE(wav.ok()) << wav.error().message;
  EXPECT_EQ(wav->format.channels, 2);
  EXPECT_EQ(wav->format.sample_rate, kSampleRate);
  EXPECT_EQ(wav->format.bits_per_sample, 16);
  EXPECT_FALSE(wav->data_truncated);
  EXPECT_EQ(wav->audio.samples.size(), done->frames);
  // The channels themselves (parseWav mixes them down): the data chunk after the
  // canonical 44-byte header.
  ASSERT_EQ(file.size(), kPcm16WavHeaderSize + done->frames * 4);
  std::vector<std::int16_t> left, right;
  for (std::size_t at = kPcm16WavHeaderSize; at + 4 <= file.size(); at += 4) {
    left.push_back(static_cast<std::int16_t>(file[at] | file[at + 1] << 8));
    right.push_back(static_cast<std::int16_t>(file[at + 2] | file[at + 3] << 8));
  }
  const double l1 = goertzelPower(left, 1000), l2 = goertzelPower(left, 2000);
  const double r1 = goertzelPower(right, 1000), r2 = goertzelPower(right, 2000);
  EXPECT_GT(l1, 100 * l2) << "left is not the customer's 1 kHz";
  EXPECT_GT(r2, 100 * r1) << "right is not the agent's 2 kHz";
  // Nearly the whole talk is in: 50 frames of tone per side.
  auto voiced = [](const std::vector<std::int16_t>& x) {
    return std::count_if(x.begin(), x.end(), [](std::int16_t v) { return std::abs(v) > 1000; });
  };
  EXPECT_GE(voiced(left), 40 * 160 / 2);
  EXPECT_GE(voiced(right), 40 * 160 / 2);
  EXPECT_EQ(engine_->counts().recordings, 0u);
}

TEST_F(MediaEngineTest, StopRecordingWithoutARecordingSaysSo) {
  startEngine(defaultOptions());
  const MediaCallId call = engine_->createCall();
  auto promise = std::make_shared<std::promise<RecordingDone>>();
  auto future = promise->get_future();
  engine_->stopRecording(call, [promise](RecordingDone d) { promise->set_value(std::move(d)); });
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(future.get().ok);
  const auto done = closeCall(call);
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->ok);
}

// ---------------------------------------------------------------------------------------
// 11. stop() with live calls

TEST_F(MediaEngineTest, StopWithLiveCallsJoinsAndFinishesTheRecording) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b, phone_c;
  const PromptRef hold = tonePrompt(400, 0.5);
  const MediaCallId call = engine_->createCall();
  const MediaCallId other = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  const auto c = open(other);
  const auto unconfigured = open(other);
  EXPECT_NE(unconfigured.id, 0u);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->configure(c.id, params(phone_c.port()));
  engine_->bridge(a.id, b.id);
  engine_->play(c.id, {hold}, true, false, 5);
  const std::string path = (dir_ / "recordings" / "live.wav").string();
  engine_->startRecording(call, path, a.id, b.id);
  auto next = Clock::now();
  for (std::uint16_t i = 0; i < 10; ++i) {  // 200 ms: the recording gets ticks
    phone_a.sendTo(a.port, makeRtp(kPcmuPt, i, 160u * i, 0xA, filled(kFrameSamples, 0x20)));
    ASSERT_TRUE(receiveRtp(phone_b));
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
  ASSERT_TRUE(receiveRtp(phone_c));  // the hold sound plays
  engine_->sendDigits(b.id, "123");  // not negotiated: dropped
  ASSERT_TRUE(eventually([&] { return engine_->counts().recordings == 1; }));

  engine_->stop();
  const MediaCounts counts = engine_->counts();
  EXPECT_EQ(counts.legs, 0u);
  EXPECT_EQ(counts.ports_in_use, 0u);
  EXPECT_EQ(counts.recordings, 0u);
  engine_->stop();  // twice is fine
  // The recording was finished by stop(): a valid file.
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in);
  const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto wav = parseWav(file);
  ASSERT_TRUE(wav.ok()) << wav.error().message;
  EXPECT_EQ(wav->format.channels, 2);
  EXPECT_GT(wav->audio.samples.size(), 0u);
  // The ports are really free.
  Phone rebind(a.port);
  EXPECT_TRUE(rebind.bound());
  engine_.reset();
}

TEST_F(MediaEngineTest, DestroyingARunningEngineStopsIt) {
  startEngine(defaultOptions());
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->startRecording(call, (dir_ / "recordings" / "x.wav").string(), a.id, a.id);
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1)));
  engine_.reset();  // the destructor stops and joins
  Phone rebind(a.port);
  EXPECT_TRUE(rebind.bound());
}

TEST_F(MediaEngineTest, ADigitInterruptsAnInterruptiblePrompt) {
  startEngine(defaultOptions());
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  engine_->configure(a.id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  engine_->play(a.id, {tonePrompt(600, 1.0)}, /*loop=*/true, /*interruptible=*/true, 9);
  ASSERT_TRUE(receiveRtp(phone_a));
  phone_a.sendTo(a.port, eventPacket(1, true, 800, 1, 1000, true));  // '1', end at once
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.digits.empty(); }));
  // The prompt stops (a frame or two may be under way), without a finished report.
  phone_a.drain();
  EXPECT_FALSE(receiveRtp(phone_a, 300ms)) << "the prompt goes on";
  EXPECT_TRUE(listener_.read([](auto& l) { return l.finished.empty(); }));
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, RtcpMuxTakesReportsOnTheRtpPortAndSendsThemThere) {
  startEngine(defaultOptions());
  Phone phone_a;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  auto p = params(phone_a.port());
  p.rtcp_mux = true;
  engine_->configure(a.id, p);
  engine_->play(a.id, {tonePrompt(600, 0.2)}, false, false, 1);  // so that we send an SR
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1)));
  std::optional<RtcpSenderReport> sr;
  Bytes sr_bytes;
  const auto deadline = Clock::now() + 4s;
  while (!sr && Clock::now() < deadline) {
    auto bytes = phone_a.receive(500ms);
    if (!bytes || classifyPacket(*bytes) != PacketKind::kRtcp) continue;
    sr_bytes = *bytes;
    auto compound = parseRtcp(sr_bytes);
    ASSERT_TRUE(compound.ok());
    for (const RtcpPacketView& v : *compound) {
      if (v.type() == static_cast<std::uint8_t>(RtcpType::kSr)) sr = v.senderReport();
    }
  }
  ASSERT_TRUE(sr) << "no SR on the RTP port";
  ReportBlock block;
  block.ssrc = sr->ssrc;
  block.fraction_lost = 128;
  std::array<std::uint8_t, 128> buffer{};
  RtcpWriter w(buffer);
  ASSERT_TRUE(w.addReceiverReport(0xA, std::span<const ReportBlock>(&block, 1)));
  ASSERT_TRUE(w.addSdesCname(0xA, "a"));
  const MediaCounts before = engine_->counts();
  phone_a.sendTo(a.port, w.bytes());
  ASSERT_TRUE(packetsIn(before.packets_in, 1));
  const auto stats = closeLeg(a.id);
  ASSERT_TRUE(stats);
  ASSERT_TRUE(stats->remote_fraction_lost);
  EXPECT_DOUBLE_EQ(*stats->remote_fraction_lost, 0.5);
  EXPECT_EQ(stats->bad_packets, 0u);
  ASSERT_TRUE(closeCall(call));
}

TEST_F(MediaEngineTest, AFailedRecordingIsReportedAndTheCallGoesOn) {
  startEngine(defaultOptions());
  Phone phone_a, phone_b;
  const MediaCallId call = engine_->createCall();
  const auto a = open(call);
  const auto b = open(call);
  engine_->configure(a.id, params(phone_a.port()));
  engine_->configure(b.id, params(phone_b.port()));
  engine_->bridge(a.id, b.id);
  std::ofstream(dir_ / "not-a-dir") << "x";
  engine_->startRecording(call, (dir_ / "not-a-dir" / "call.wav").string(), a.id, b.id);
  ASSERT_TRUE(eventually([&] { return engine_->counts().recordings_failed == 1; }));
  phone_a.sendTo(a.port, makeRtp(kPcmuPt, 1, 0, 0xA, filled(kFrameSamples, 1)));
  EXPECT_TRUE(receiveRtp(phone_b));
  const auto done = closeCall(call);
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->ok);
  EXPECT_FALSE(done->error.empty());
}

// Regression: the writer may fail an open before the engine noted whose recording it is.
TEST_F(MediaEngineTest, EveryFailedRecordingReachesTheListener) {
  startEngine(defaultOptions());
  std::ofstream(dir_ / "not-a-dir") << "x";
  constexpr int kCalls = 30;
  std::vector<MediaCallId> calls;
  for (int i = 0; i < kCalls; ++i) {
    const MediaCallId call = engine_->createCall();
    calls.push_back(call);
    engine_->startRecording(call, (dir_ / "not-a-dir" / (std::to_string(i) + ".wav")).string(), 0, 0);
  }
  ASSERT_TRUE(eventually([&] { return engine_->counts().recordings_failed == kCalls; }));
  EXPECT_TRUE(listener_.waitFor([](auto& l) { return l.failed.size() == kCalls; }))
      << listener_.read([](auto& l) { return l.failed.size(); }) << " of " << kCalls << " reached the listener";
  for (MediaCallId call : calls) engine_->closeCall(call);
}

// Regression: a leg still being set up when stop() begins gives its port back.
TEST_F(MediaEngineTest, StopWhileALegIsBeingSetUpReturnsItsPort) {
  class Blocking final : public MediaEventListener {
   public:
    void onDigit(MediaLegId, char) override {
      entered.set_value();
      release.get_future().wait();
    }
    void onPlayFinished(MediaLegId, std::uint64_t) override {}
    void onMediaTimeout(MediaLegId) override {}
    void onRecordingFailed(MediaCallId, const std::string&) override {}
    std::promise<void> entered, release;
  } blocking;
  auto options = defaultOptions();
  options.threads = 1;
  MediaEngine engine(options, blocking, clock_);
  ASSERT_TRUE(engine.start().ok());
  Phone phone_a;
  const MediaCallId call = engine.createCall();
  auto a = engine.openLeg(call);
  ASSERT_TRUE(a.ok());
  engine.configure(a->id, params(phone_a.port(), Codec::kPcmu, kEventPt));
  phone_a.sendTo(a->port, eventPacket(1, true, 800, 1, 1000, true));
  ASSERT_EQ(blocking.entered.get_future().wait_for(kWait), std::future_status::ready);
  // The media thread is busy now: this leg's setup waits in its queue.
  auto late = engine.openLeg(call);
  ASSERT_TRUE(late.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(200ms);  // only orders stop()'s flag before the release
    blocking.release.set_value();
  });
  engine.stop();
  releaser.join();
  EXPECT_EQ(engine.counts().legs, 0u);
  EXPECT_EQ(engine.counts().ports_in_use, 0u);
}

TEST(MediaEngineStartTest, ABadBindAddressIsAnError) {
  RecordingListener listener;
  core::SystemClock clock;
  MediaEngineOptions o;
  o.bind_address = "not-an-address";
  o.threads = 1;
  MediaEngine engine(o, listener, clock);
  EXPECT_FALSE(engine.start().ok());
}

}  // namespace
}  // namespace sb::media
