#include "media/wav.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "support/source_dir.hpp"

namespace sb::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put32(Bytes& b, std::uint32_t v) {
  put16(b, v);
  put16(b, v >> 16);
}

void putTag(Bytes& b, const char* tag) {
  b.insert(b.end(), tag, tag + 4);
}

// A chunk with an explicit size field (which may lie) and its pad byte when odd.
Bytes chunk(const char* tag, const Bytes& body, std::uint32_t claimed_size) {
  Bytes b;
  putTag(b, tag);
  put32(b, claimed_size);
  b.insert(b.end(), body.begin(), body.end());
  if (body.size() % 2 == 1) b.push_back(0);
  return b;
}

Bytes chunk(const char* tag, const Bytes& body) {
  return chunk(tag, body, static_cast<std::uint32_t>(body.size()));
}

Bytes riff(const std::vector<Bytes>& chunks) {
  Bytes body;
  putTag(body, "WAVE");
  for (const auto& c : chunks) body.insert(body.end(), c.begin(), c.end());
  Bytes b;
  putTag(b, "RIFF");
  put32(b, static_cast<std::uint32_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

struct Fmt {
  std::uint16_t tag = 1;
  std::uint16_t channels = 1;
  std::uint32_t rate = 8000;
  std::uint16_t bits = 16;
  int block_align = -1;     // -1: consistent with the rest
  int extensible_sub = -1;  // >= 0: WAVE_FORMAT_EXTENSIBLE with this sub-format
  bool bad_guid = false;
};

Bytes fmtBody(const Fmt& f) {
  Bytes b;
  const auto align =
      static_cast<std::uint16_t>(f.block_align >= 0 ? f.block_align : f.channels * f.bits / 8);
  put16(b, f.extensible_sub >= 0 ? 0xFFFE : f.tag);
  put16(b, f.channels);
  put32(b, f.rate);
  put32(b, f.rate * align);
  put16(b, align);
  put16(b, f.bits);
  if (f.extensible_sub >= 0) {
    put16(b, 22);
    put16(b, f.bits);
    put32(b, f.channels == 2 ? 3 : 4);
    put16(b, static_cast<std::uint16_t>(f.extensible_sub));
    const std::uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                   0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    b.insert(b.end(), tail, tail + 14);
    if (f.bad_guid) b.back() ^= 0xFF;
  }
  return b;
}

Bytes wav(const Fmt& f, const Bytes& data) {
  return riff({chunk("fmt ", fmtBody(f)), chunk("data", data)});
}

core::Result<WavFile> parse(const Bytes& b) {
  return parseWav(b);
}

std::vector<std::int16_t> samplesOf(const Bytes& b) {
  auto r = parseWav(b);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->audio.samples : std::vector<std::int16_t>{};
}

std::string errorOf(const Bytes& b) {
  auto r = parseWav(b);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidInput);
  return r.error().message;
}

Bytes floats(std::initializer_list<float> values) {
  Bytes b;
  for (float v : values) {
    std::uint32_t raw = 0;
    std::memcpy(&raw, &v, 4);
    put32(b, raw);
  }
  return b;
}

TEST(WavTest, Pcm16MonoRoundTrip) {
  const std::vector<std::int16_t> in = {0, 1, -1, 32767, -32768, 1234};
  const auto file = encodePcm16Wav(in, 1, 16000);
  auto r = parseWav(file);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->audio.sample_rate, 16000);
  EXPECT_EQ(r->audio.samples, in);
  EXPECT_EQ(r->format.encoding, WavEncoding::kPcm);
  EXPECT_EQ(r->format.channels, 1);
  EXPECT_EQ(r->format.bits_per_sample, 16);
  EXPECT_FALSE(r->data_truncated);
}

TEST(WavTest, StereoIsMixedDown) {
  const std::vector<std::int16_t> in = {1000, 3000, -32768, -32768, 32767, 32767, 100, -100};
  EXPECT_EQ(samplesOf(encodePcm16Wav(in, 2, 44100)),
            (std::vector<std::int16_t>{2000, -32768, 32767, 0}));
}

TEST(WavTest, Pcm8IsUnsigned) {
  EXPECT_EQ(samplesOf(wav({.bits = 8}, {128, 255, 0, 129})),
            (std::vector<std::int16_t>{0, 32512, -32768, 256}));
}

TEST(WavTest, Pcm24And32) {
  EXPECT_EQ(samplesOf(wav({.bits = 24}, {0x56, 0x34, 0x12, 0x00, 0x00, 0x80, 0x00, 0x9C, 0xFF})),
            (std::vector<std::int16_t>{0x1234, -32768, -100}));
  Bytes b;
  put32(b, 0x7FFF0000);
  put32(b, 0x80000000);
  put32(b, 0x00018000);  // 1.5 → rounds to 2
  EXPECT_EQ(samplesOf(wav({.bits = 32}, b)), (std::vector<std::int16_t>{32767, -32768, 2}));
}

TEST(WavTest, Float32IsScaledAndClamped) {
  EXPECT_EQ(
      samplesOf(wav({.tag = 3, .bits = 32}, floats({0.5f, -1.0f, 2.0f, std::nanf(""), 0.0f}))),
      (std::vector<std::int16_t>{16384, -32768, 32767, 0, 0}));
}

TEST(WavTest, MuLawAndALaw) {
  // G.711 reference points: μ-law 0xFF is zero, 0x80/0x00 the extremes; A-law 0xD5/0x55
  // the smallest steps, 0xAA the positive extreme.
  EXPECT_EQ(samplesOf(wav({.tag = 7, .bits = 8}, {0xFF, 0x80, 0x00, 0x7F})),
            (std::vector<std::int16_t>{0, 32124, -32124, 0}));
  EXPECT_EQ(samplesOf(wav({.tag = 6, .bits = 8}, {0xD5, 0x55, 0xAA, 0x2A})),
            (std::vector<std::int16_t>{8, -8, 32256, -32256}));
}

TEST(WavTest, ExtensibleSubFormats) {
  Bytes pcm;
  put16(pcm, 500);
  put16(pcm, 1500);
  EXPECT_EQ(samplesOf(wav({.channels = 2, .rate = 48000, .extensible_sub = 1}, pcm)),
            (std::vector<std::int16_t>{1000}));
  EXPECT_EQ(samplesOf(wav({.bits = 32, .extensible_sub = 3}, floats({0.25f}))),
            (std::vector<std::int16_t>{8192}));
  EXPECT_EQ(samplesOf(wav({.bits = 8, .extensible_sub = 7}, {0xFF})),
            (std::vector<std::int16_t>{0}));
  EXPECT_EQ(samplesOf(wav({.bits = 8, .extensible_sub = 6}, {0xD5})),
            (std::vector<std::int16_t>{8}));
  EXPECT_NE(errorOf(wav({.extensible_sub = 1, .bad_guid = true}, pcm)).find("GUID"),
            std::string::npos);
  EXPECT_NE(errorOf(wav({.extensible_sub = 2}, pcm)).find("format tag 2"), std::string::npos);
  // Extensible but with the extension cut off.
  Bytes short_fmt = fmtBody({.extensible_sub = 1});
  short_fmt.resize(30);
  EXPECT_NE(errorOf(riff({chunk("fmt ", short_fmt), chunk("data", pcm)})).find("extensible"),
            std::string::npos);
}

TEST(WavTest, UnknownChunksAreSkippedWithPadding) {
  Bytes pcm;
  put16(pcm, 7);
  put16(pcm, 8);
  const Bytes odd = {'a', 'b', 'c'};  // odd size: a pad byte follows
  const auto file =
      riff({chunk("LIST", odd), chunk("fmt ", fmtBody({})), chunk("fact", {1, 0, 0, 0}),
            chunk("junk", {}), chunk("data", pcm), chunk("LIST", odd)});
  EXPECT_EQ(samplesOf(file), (std::vector<std::int16_t>{7, 8}));
  // fmt after data is legal too.
  EXPECT_EQ(samplesOf(riff({chunk("data", pcm), chunk("fmt ", fmtBody({}))})),
            (std::vector<std::int16_t>{7, 8}));
  // An odd-sized data chunk (8-bit) followed by its pad byte and another chunk.
  EXPECT_EQ(samplesOf(riff({chunk("fmt ", fmtBody({.bits = 8})), chunk("data", {128, 128, 128}),
                            chunk("LIST", odd)})),
            (std::vector<std::int16_t>{0, 0, 0}));
}

TEST(WavTest, DataLargerThanFileKeepsWhatIsThere) {
  Bytes pcm;
  for (int i = 0; i < 5; ++i) put16(pcm, static_cast<std::uint32_t>(i));
  pcm.push_back(0x11);  // half a sample: dropped
  auto file = riff({chunk("fmt ", fmtBody({})), chunk("data", pcm, 0x7FFFFFF0)});
  file.pop_back();  // remove the pad byte so the half sample really ends the file
  auto r = parse(file);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->data_truncated);
  EXPECT_EQ(r->audio.samples, (std::vector<std::int16_t>{0, 1, 2, 3, 4}));
  // A streaming writer's 0xFFFFFFFF placeholder.
  auto stream = riff({chunk("fmt ", fmtBody({})), chunk("data", {1, 0}, 0xFFFFFFFF)});
  EXPECT_EQ(samplesOf(stream), (std::vector<std::int16_t>{1}));
}

TEST(WavTest, MalformedHeadersGiveCleanErrors) {
  const auto good = wav({}, {0, 0});
  EXPECT_NE(errorOf({}).find("not a RIFF"), std::string::npos);
  EXPECT_NE(errorOf(Bytes(good.begin(), good.begin() + 11)).find("not a RIFF"), std::string::npos);
  Bytes rifx = good;
  rifx[3] = 'X';
  EXPECT_NE(errorOf(rifx).find("not a RIFF"), std::string::npos);
  Bytes avi = good;
  std::memcpy(avi.data() + 8, "AVI ", 4);
  EXPECT_NE(errorOf(avi).find("not a RIFF"), std::string::npos);
  EXPECT_NE(errorOf(riff({chunk("fmt ", fmtBody({}))})).find("no data chunk"), std::string::npos);
  EXPECT_NE(errorOf(riff({chunk("data", {0, 0})})).find("no fmt chunk"), std::string::npos);
  EXPECT_NE(errorOf(riff({})).find("no fmt"), std::string::npos);
  EXPECT_NE(errorOf(riff({chunk("fmt ", {1, 0, 1, 0}), chunk("data", {0, 0})})).find("too short"),
            std::string::npos);
  EXPECT_NE(
      errorOf(riff({chunk("fmt ", fmtBody({})), chunk("fmt ", fmtBody({})), chunk("data", {})}))
          .find("two fmt"),
      std::string::npos);
  // Huge chunk sizes.
  EXPECT_NE(errorOf(riff({chunk("LIST", {1, 2}, 0xFFFFFFF0), chunk("fmt ", fmtBody({})),
                          chunk("data", {0, 0})}))
                .find("'LIST' size 4294967280 extends past end"),
            std::string::npos);
  EXPECT_NE(errorOf(riff({chunk("fmt ", fmtBody({}), 0xFFFFFFFF), chunk("data", {0, 0})}))
                .find("fmt chunk extends past"),
            std::string::npos);
  EXPECT_NE(errorOf(riff({chunk("\x01\xff\x02\x03", {}, 1000)})).find("'?\?\?\?'"),
            std::string::npos);
  // Impossible formats.
  EXPECT_NE(errorOf(wav({.channels = 0}, {0, 0})).find("channel count 0"), std::string::npos);
  EXPECT_NE(errorOf(wav({.channels = 3}, {0, 0, 0, 0, 0, 0})).find("channel count 3"),
            std::string::npos);
  EXPECT_NE(errorOf(wav({.rate = 0}, {0, 0})).find("sample rate 0"), std::string::npos);
  EXPECT_NE(errorOf(wav({.rate = 7999}, {0, 0})).find("sample rate"), std::string::npos);
  EXPECT_NE(errorOf(wav({.rate = 96001}, {0, 0})).find("sample rate"), std::string::npos);
  EXPECT_NE(errorOf(wav({.rate = 0xFFFFFFFF}, {0, 0})).find("sample rate"), std::string::npos);
  EXPECT_NE(errorOf(wav({.bits = 12}, {0, 0})).find("bits per sample 12"), std::string::npos);
  EXPECT_NE(errorOf(wav({.bits = 0}, {0, 0})).find("bits per sample 0"), std::string::npos);
  EXPECT_NE(errorOf(wav({.tag = 3, .bits = 64}, Bytes(8))).find("bits per sample 64"),
            std::string::npos);
  EXPECT_NE(errorOf(wav({.tag = 7, .bits = 16}, {0, 0})).find("bits per sample"),
            std::string::npos);
  EXPECT_NE(errorOf(wav({.tag = 2}, {0, 0})).find("format tag 2"), std::string::npos);
  EXPECT_NE(errorOf(wav({.block_align = 0}, {0, 0})).find("block align"), std::string::npos);
  EXPECT_NE(errorOf(wav({.block_align = 4}, {0, 0})).find("block align"), std::string::npos);
}

TEST(WavTest, EmptyDataIsSilence) {
  auto r = parse(wav({}, {}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->audio.samples.empty());
}

TEST(WavTest, EveryPrefixAndRandomDamageIsSafe) {
  std::vector<std::int16_t> tone(200);
  for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<std::int16_t>(i * 97);
  std::vector<Bytes> files = {encodePcm16Wav(tone, 2, 8000),
                              wav({.bits = 8, .extensible_sub = 7}, Bytes(50, 0x12)),
                              riff({chunk("LIST", {1, 2, 3}), chunk("fmt ", fmtBody({.bits = 24})),
                                    chunk("data", Bytes(30, 7))})};
  for (const auto& file : files) {
    for (std::size_t n = 0; n <= file.size(); ++n) {
      (void)parseWav(std::span(file).first(n));  // must not crash (ASan/UBSan watch)
    }
  }
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    Bytes damaged = files[static_cast<std::size_t>(round) % files.size()];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) {
      damaged[rng() % std::min<std::size_t>(damaged.size(), 80)] = static_cast<std::uint8_t>(rng());
    }
    auto r = parseWav(damaged);
    if (r.ok()) {
      EXPECT_LE(r->audio.samples.size(), damaged.size());
    }
  }
}

TEST(WavTest, Pcm16HeaderLayout) {
  const auto h = pcm16WavHeader(2, 8000, 32000);
  EXPECT_EQ(std::string(h.begin(), h.begin() + 4), "RIFF");
  EXPECT_EQ(h[4] | (h[5] << 8) | (h[6] << 16), 36 + 32000);
  EXPECT_EQ(std::string(h.begin() + 8, h.begin() + 16), "WAVEfmt ");
  EXPECT_EQ(h[22], 2);                                     // channels
  EXPECT_EQ(h[28] | (h[29] << 8) | (h[30] << 16), 32000);  // bytes per second
  EXPECT_EQ(h[32], 4);                                     // block align
  EXPECT_EQ(std::string(h.begin() + 36, h.begin() + 40), "data");
  EXPECT_EQ(h[40] | (h[41] << 8) | (h[42] << 16), 32000);
  // Sizes saturate at the 32-bit limit instead of wrapping.
  const auto big = pcm16WavHeader(2, 8000, 1ull << 40);
  EXPECT_EQ(big[4] & big[5] & big[6] & big[7], 0xFF);
}

// Files written by another program (Python's wave module) in tests/data/media.
TEST(WavTest, ReadsCommittedFiles) {
  const std::string stereo = testing::readSourceFile("tests/data/media/tone_1k_44100_stereo.wav");
  ASSERT_FALSE(stereo.empty());
  auto r = parseWav(std::span(reinterpret_cast<const std::uint8_t*>(stereo.data()), stereo.size()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->audio.sample_rate, 44100);
  EXPECT_EQ(r->format.channels, 2);
  EXPECT_EQ(r->audio.samples.size(), 4410u);

  const std::string ulaw = testing::readSourceFile("tests/data/media/ulaw_list_8000.wav");
  ASSERT_FALSE(ulaw.empty());
  auto u = parseWav(std::span(reinterpret_cast<const std::uint8_t*>(ulaw.data()), ulaw.size()));
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->format.encoding, WavEncoding::kMuLaw);
  EXPECT_EQ(u->audio.samples.size(), 800u);
}

}  // namespace
}  // namespace sb::media
