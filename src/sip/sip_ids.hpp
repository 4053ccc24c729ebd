#pragma once
// Fresh identifiers for SIP: Via branches, tags and Call-IDs. Randomness is injected
// (IdSource) so that protocol tests are deterministic; the server uses RandomIdSource.
#include <cstdint>
#include <string>

namespace sb::sip {

class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual uint64_t next() = 0;  // 64 random bits

  // "z9hG4bK" + 16 characters (RFC 3261 §8.1.1.7 magic cookie).
  std::string branch();
  std::string tag();     // 12 characters
  std::string callId();  // 24 characters
  // `length` characters of [0-9a-zA-Z].
  std::string token(size_t length);
};

// Seeded once from the operating system's random source (OpenSSL RAND_bytes), then a
// fast generator (xoshiro256**): identifiers must be unique and hard to guess, not secret.
class RandomIdSource final : public IdSource {
 public:
  RandomIdSource();
  uint64_t next() override;

 private:
  uint64_t s_[4];
};

// Deterministic, for tests.
class SequenceIdSource final : public IdSource {
 public:
  explicit SequenceIdSource(uint64_t seed = 1) : state_(seed) {}
  uint64_t next() override;

 private:
  uint64_t state_;
};

}  // namespace sb::sip
