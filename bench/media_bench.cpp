// Per-packet costs of the media hot path (issue 4, item 8): what one 20 ms G.711 packet
// costs to parse, account and re-write when relayed between two legs, with and without
// transcoding. The socket work comes on top; these figures bound the pure-CPU part.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "media/g711.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_stats.hpp"

namespace {

using namespace sb::media;

constexpr size_t kPayload = 160;  // 20 ms of G.711 at 8 kHz

std::vector<uint8_t> makePacket(uint16_t sequence) {
  std::vector<uint8_t> out(12 + kPayload);
  std::array<uint8_t, kPayload> payload{};
  for (size_t i = 0; i < kPayload; ++i) payload[i] = static_cast<uint8_t>(i * 7);
  RtpHeaderFields fields;
  fields.payload_type = 0;
  fields.sequence = sequence;
  fields.timestamp = sequence * 160u;
  fields.ssrc = 0x12345678;
  auto n = writeRtp(out, fields, payload);
  out.resize(n ? *n : 0);
  return out;
}

// Relay without transcoding: parse, account (RFC 3550 A.1/A.8), rewrite our header.
void BM_RelayPacket(benchmark::State& state) {
  std::vector<std::vector<uint8_t>> packets;
  for (uint16_t s = 0; s < 1024; ++s) packets.push_back(makePacket(s));
  RtpReceiveStats stats(8000);
  std::array<uint8_t, 12 + kPayload> out{};
  sb::core::Time now{std::chrono::seconds{1'700'000'000}};
  uint16_t our_sequence = 0;
  size_t i = 0;
  for (auto _ : state) {
    const auto& bytes = packets[i++ & 1023];
    auto packet = parseRtp(bytes);
    if (!packet) state.SkipWithError("parse failed");
    now += std::chrono::milliseconds(20);
    stats.onPacket(packet->sequence, packet->timestamp, now);
    RtpHeaderFields fields;
    fields.payload_type = packet->payload_type;
    fields.sequence = our_sequence++;
    fields.timestamp = packet->timestamp + 4000;
    fields.ssrc = 0x0BADCAFE;
    auto written = writeRtp(out, fields, packet->payload);
    benchmark::DoNotOptimize(written);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RelayPacket);

// The same with μ-law → A-law transcoding of the payload (legs with different codecs).
void BM_RelayPacketTranscoded(benchmark::State& state) {
  std::vector<std::vector<uint8_t>> packets;
  for (uint16_t s = 0; s < 1024; ++s) packets.push_back(makePacket(s));
  RtpReceiveStats stats(8000);
  std::array<uint8_t, 12 + kPayload> out{};
  std::array<uint8_t, kPayload> alaw{};
  sb::core::Time now{std::chrono::seconds{1'700'000'000}};
  uint16_t our_sequence = 0;
  size_t i = 0;
  for (auto _ : state) {
    const auto& bytes = packets[i++ & 1023];
    auto packet = parseRtp(bytes);
    if (!packet) state.SkipWithError("parse failed");
    now += std::chrono::milliseconds(20);
    stats.onPacket(packet->sequence, packet->timestamp, now);
    transcodeUlawToAlaw(packet->payload, alaw);
    RtpHeaderFields fields;
    fields.payload_type = 8;
    fields.sequence = our_sequence++;
    fields.timestamp = packet->timestamp;
    fields.ssrc = 0x0BADCAFE;
    auto written = writeRtp(out, fields, alaw);
    benchmark::DoNotOptimize(written);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RelayPacketTranscoded);

// Decoding both sides of a recorded call to linear PCM: two packets per 20 ms.
void BM_DecodeForRecording(benchmark::State& state) {
  auto packet = makePacket(1);
  auto view = parseRtp(packet);
  std::array<int16_t, kPayload> left{}, right{};
  for (auto _ : state) {
    decodeUlaw(view->payload, left);
    decodeUlaw(view->payload, right);
    benchmark::DoNotOptimize(left.data());
    benchmark::DoNotOptimize(right.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeForRecording);

}  // namespace

BENCHMARK_MAIN();
