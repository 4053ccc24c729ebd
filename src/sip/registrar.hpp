#pragma once
// The registrar and location service (RFC 3261 §10.3, with the instance / reg-id
// matching of RFC 5626 §6). Sans-I/O: a REGISTER, the flow it came on and the time go in,
// the response comes out; bindings expire on the injected clock (onTimer /
// nextDeadline). No authentication here: the caller authenticates the request first and
// names the address-of-record by its key (e.g. "alice@example.com").
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "sip/flow.hpp"
#include "sip/sip_message.hpp"
#include "sip/sip_uri.hpp"

namespace sb::sip {

struct Binding {
  uint64_t id = 0;   // unique within the registrar
  NameAddr contact;  // as registered, without its expires parameter
  Flow flow;         // where the REGISTER came from: send requests for it there
  core::Time expires_at;
  core::Time updated_at;  // last REGISTER that added or refreshed it
  int q = 1000;           // q-value in thousandths (q=0.5 → 500); 1000 when absent
  std::string call_id;
  uint32_t cseq = 0;
  std::string instance;            // +sip.instance as written (quotes removed), may be empty
  std::optional<uint32_t> reg_id;  // RFC 5626 reg-id
  std::string user_agent;

  std::string contactText() const { return toString(contact); }
};

struct RegistrarOptions {
  std::chrono::seconds min_expires{60};
  std::chrono::seconds max_expires{3600};
  std::chrono::seconds default_expires{3600};
  size_t max_bindings_per_aor = 10;
  size_t max_total_bindings = 100000;
};

class RegistrarListener {
 public:
  virtual ~RegistrarListener() = default;
  // The bindings of an AOR changed (one added, removed, expired, or moved to another
  // flow or contact); `count` is how many remain. 0 → n: the device became reachable;
  // n → 0: unreachable. A refresh that changes nothing but the expiry is not reported.
  virtual void onBindingsChanged(std::string_view aor_key, size_t count) = 0;
};

class Registrar {
 public:
  using TagGenerator = std::function<std::string()>;

  Registrar(RegistrarOptions options, TagGenerator tag_generator,
            RegistrarListener* listener = nullptr);

  // Answers one (already authenticated) REGISTER for `aor_key`: 200 with every current
  // binding, or 400 / 403 / 423 / 500 / 503 with nothing changed (all or nothing, §10.3).
  SipMessage handleRegister(std::string_view aor_key, const SipMessage& request, const Flow& flow,
                            core::Time now);

  // The live bindings of an AOR, highest q first, then the most recently refreshed.
  std::vector<Binding> lookup(std::string_view aor_key) const;

  // Drops the bindings that expired at `now` (expires_at <= now).
  void onTimer(core::Time now);
  std::optional<core::Time> nextDeadline() const;

  // A stream connection closed: its bindings cannot be reached any more.
  void removeFlow(ConnectionId connection);

  size_t aorCount() const { return aors_.size(); }
  size_t bindingCount() const { return total_bindings_; }

 private:
  using ExpiryKey = std::tuple<core::Time, std::string, uint64_t>;

  void insertIndexes(const std::string& aor, const Binding& binding);
  void eraseIndexes(const std::string& aor, const Binding& binding);
  // Removes the bindings for which `drop` is true; returns whether any went.
  bool eraseBindings(const std::string& aor, const std::function<bool(const Binding&)>& drop);
  void notify(const std::string& aor);

  RegistrarOptions options_;
  TagGenerator tag_generator_;
  RegistrarListener* listener_;
  std::unordered_map<std::string, std::vector<Binding>> aors_;
  std::set<ExpiryKey> expiry_;
  std::unordered_map<ConnectionId, std::set<std::pair<std::string, uint64_t>>> by_connection_;
  size_t total_bindings_ = 0;
  uint64_t next_id_ = 1;
};

// Whether two contact URIs name the same binding: RFC 3261 §19.1.4 loosely (see
// registrar.cpp).
bool sameContactUri(const NameAddr& a, const NameAddr& b);

}  // namespace sb::sip
