#include "account/password_hasher.hpp"

#include <sodium.h>

#include <new>
#include <stdexcept>

#include "core/check.hpp"

namespace sb::account {
namespace {

void ensureSodium() {
  static const int rc = sodium_init();
  SB_CHECK(rc >= 0, "libsodium failed to initialise");
}

}  // namespace

PasswordHasher::PasswordHasher(HashCost cost) : cost_(cost) {
  ensureSodium();
  SB_CHECK(cost_.ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN, "argon2 ops below minimum");
  SB_CHECK(cost_.memory_bytes >= crypto_pwhash_argon2id_MEMLIMIT_MIN, "argon2 memory below minimum");
  dummy_ = hash(randomSecret(24));
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), cost_.ops,
                                 cost_.memory_bytes) != 0) {
    throw std::bad_alloc();  // the only documented failure
  }
  return out;
}

bool PasswordHasher::verify(std::string_view phc, std::string_view password) const {
  if (phc.empty() || phc.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  std::string z(phc);  // libsodium wants a NUL-terminated string
  if (z.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_argon2id_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needsRehash(std::string_view phc) const {
  std::string z(phc);
  return crypto_pwhash_argon2id_str_needs_rehash(z.c_str(), cost_.ops, cost_.memory_bytes) != 0;
}

void randomBytes(uint8_t* out, size_t n) {
  ensureSodium();
  randombytes_buf(out, n);
}

std::string randomSecret(size_t length) {
  ensureSodium();
  static constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    out += kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))];
  }
  return out;
}

}  // namespace sb::account
