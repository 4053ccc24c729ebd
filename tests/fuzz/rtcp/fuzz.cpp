// Untrusted RTCP compound packets: any bytes must give a validated compound or an error,
// never a crash, and iterating an accepted compound must stay inside it. The SR, RR,
// SDES CNAME and BYE content of an accepted compound, written again with RtcpWriter,
// must parse into the same content (abort otherwise, so libFuzzer reports).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "media/rtcp_packet.hpp"

namespace {

using sb::media::RtcpType;

void put(std::string& out, uint64_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void putBlocks(std::string& out, const sb::media::ReportBlocks& blocks) {
  put(out, blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto b = blocks[i];
    put(out, b.ssrc);
    put(out, b.fraction_lost);
    put(out, static_cast<uint64_t>(static_cast<int64_t>(b.cumulative_lost)));
    put(out, b.highest_sequence);
    put(out, b.jitter);
    put(out, b.lsr);
    put(out, b.dlsr);
  }
}

// What RtcpWriter can express, in order: SR, RR, CNAME chunks, BYE.
std::string summarize(const sb::media::RtcpCompound& compound) {
  std::string out;
  for (auto packet : compound) {
    if (packet.bytes().data() < compound.bytes().data() ||
        packet.bytes().data() + packet.bytes().size() >
            compound.bytes().data() + compound.bytes().size()) {
      std::abort();
    }
    switch (static_cast<RtcpType>(packet.type())) {
      case RtcpType::kSr: {
        auto sr = packet.senderReport();
        put(out, 200);
        put(out, sr.ssrc);
        put(out, sr.info.ntp_timestamp);
        put(out, sr.info.rtp_timestamp);
        put(out, sr.info.packet_count);
        put(out, sr.info.octet_count);
        putBlocks(out, sr.blocks);
        break;
      }
      case RtcpType::kRr: {
        auto rr = packet.receiverReport();
        put(out, 201);
        put(out, rr.ssrc);
        putBlocks(out, rr.blocks);
        break;
      }
      case RtcpType::kSdes:
        for (auto chunk : packet.sdes()) {
          if (!chunk.cname) continue;
          put(out, 202);
          put(out, chunk.ssrc);
          put(out, chunk.cname->size());
          out.append(*chunk.cname);
        }
        break;
      case RtcpType::kBye: {
        auto bye = packet.bye();
        put(out, 203);
        put(out, bye.size());
        for (size_t i = 0; i < bye.size(); ++i) put(out, bye.ssrc(i));
        put(out, bye.reason.size());
        out.append(bye.reason);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

template <typename Blocks>
std::span<const sb::media::ReportBlock> copyBlocks(const Blocks& blocks,
                                                   std::array<sb::media::ReportBlock, 31>& to) {
  for (size_t i = 0; i < blocks.size(); ++i) to[i] = blocks[i];
  return std::span<const sb::media::ReportBlock>(to.data(), blocks.size());
}

void checkStable(const sb::media::RtcpCompound& compound, size_t size) {
  std::vector<uint8_t> buffer(2 * size + 64);
  sb::media::RtcpWriter writer(buffer);
  std::array<sb::media::ReportBlock, 31> blocks{};
  std::array<uint32_t, 31> ssrcs{};
  for (auto packet : compound) {
    bool ok = true;
    switch (static_cast<RtcpType>(packet.type())) {
      case RtcpType::kSr: {
        auto sr = packet.senderReport();
        ok = writer.addSenderReport(sr.ssrc, sr.info, copyBlocks(sr.blocks, blocks));
        break;
      }
      case RtcpType::kRr: {
        auto rr = packet.receiverReport();
        ok = writer.addReceiverReport(rr.ssrc, copyBlocks(rr.blocks, blocks));
        break;
      }
      case RtcpType::kSdes:
        for (auto chunk : packet.sdes()) {
          if (chunk.cname) ok = ok && writer.addSdesCname(chunk.ssrc, *chunk.cname);
        }
        break;
      case RtcpType::kBye: {
        auto bye = packet.bye();
        for (size_t i = 0; i < bye.size(); ++i) ssrcs[i] = bye.ssrc(i);
        ok = writer.addBye(std::span<const uint32_t>(ssrcs.data(), bye.size()), bye.reason);
        break;
      }
      default:
        break;
    }
    if (!ok) std::abort();
  }
  auto again = sb::media::parseRtcp(writer.bytes());
  if (!again) std::abort();
  if (summarize(*again) != summarize(compound)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto compound = sb::media::parseRtcp(bytes);
  if (compound) {
    checkStable(*compound, size);
  } else {
    (void)sb::media::toString(compound.error());
  }
  return 0;
}
