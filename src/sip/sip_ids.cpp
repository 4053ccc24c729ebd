#include "sip/sip_ids.hpp"

#include <openssl/rand.h>

#include <cstring>

#include "core/check.hpp"

namespace sb::sip {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr size_t kAlphabetSize = sizeof(kAlphabet) - 1;

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string IdSource::token(size_t length) {
  std::string out;
  out.reserve(length);
  uint64_t bits = 0;
  int left = 0;
  while (out.size() < length) {
    if (left == 0) {
      bits = next();
      left = 10;  // 10 characters of 6 bits from each 64-bit draw
    }
    out.push_back(kAlphabet[(bits & 0x3F) % kAlphabetSize]);
    bits >>= 6;
    --left;
  }
  return out;
}

std::string IdSource::branch() { return "z9hG4bK" + token(16); }
std::string IdSource::tag() { return token(12); }
std::string IdSource::callId() { return token(24); }

RandomIdSource::RandomIdSource() {
  unsigned char seed[sizeof(s_)];
  SB_CHECK(RAND_bytes(seed, sizeof(seed)) == 1, "the operating system gave no random bytes");
  std::memcpy(s_, seed, sizeof(s_));
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

uint64_t RandomIdSource::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t SequenceIdSource::next() { return splitmix64(state_); }

}  // namespace sb::sip
