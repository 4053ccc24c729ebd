#pragma once
// Argon2id password hashing (libsodium) into PHC strings ("$argon2id$v=19$m=…,t=…,p=1$…").
// Hashing is deliberately slow and memory-hungry (m = 19 MiB, t = 2 by default), so
// callers run it off the event loop and bound how many run at once (LoginService).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::account {

struct HashCost {
  uint64_t ops = 2;                    // Argon2 t (passes)
  size_t memory_bytes = 19u << 20;     // Argon2 m (19 MiB: the OWASP floor for Argon2id)
};

class PasswordHasher {
 public:
  explicit PasswordHasher(HashCost cost = {});
  // A PHC string; throws only if the machine is out of memory.
  std::string hash(std::string_view password) const;
  // Constant-time comparison inside libsodium; false for any malformed hash.
  bool verify(std::string_view phc, std::string_view password) const;
  // True when the hash was made with weaker parameters than ours (rehash on login).
  bool needsRehash(std::string_view phc) const;
  // A valid hash of a random password: verifying against it costs what a real check
  // costs, so unknown users take as long as wrong passwords (B2).
  const std::string& dummyHash() const { return dummy_; }
  const HashCost& cost() const { return cost_; }

 private:
  HashCost cost_;
  std::string dummy_;
};

// Random bytes from the OS CSPRNG (libsodium).
void randomBytes(uint8_t* out, size_t n);
// A random secret of `length` characters from an unambiguous alphabet (no 0/O, 1/l/I):
// used for generated passwords and SIP secrets.
std::string randomSecret(size_t length);

}  // namespace sb::account
