#pragma once
// Logins, sessions and passwords (B1–B5). Blocking: login, password changes and resets
// hash with Argon2id and touch the database, so callers run them on worker threads,
// never on an event loop. authenticate() is cheap after the first call of a session.
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "account/account_store.hpp"
#include "account/login_throttle.hpp"
#include "account/password_hasher.hpp"
#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::account {

struct AccountOptions {
  std::chrono::seconds session_ttl = std::chrono::hours{12};
  // A cached session is re-read from the database after this long, so that a session
  // ended by another process (`switchboard admin agent passwd`) stops working.
  std::chrono::seconds session_recheck{30};
  size_t max_concurrent_hashes = 0;  // 0: one per core
  size_t max_waiting_hashes = 64;    // beyond: 503, try again shortly
  ThrottleConfig throttle;
};

// An authenticated caller.
struct Session {
  TokenHash token_hash{};
  acd::OrgId org = 0;
  acd::AgentKey agent = 0;
  core::Time expires_at{};
};

struct LoginResult {
  std::string token;
  Session session;
  acd::Org org;
  acd::Agent agent;
  bool must_change_password = false;
};

// Told when sessions end so that live connections (the events WebSocket) close.
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // Every session of `agent` except `except` has ended.
  virtual void onAgentSessionsEnded(acd::AgentKey agent, std::optional<TokenHash> except) = 0;
  virtual void onSessionEnded(const TokenHash& session) = 0;
};

// Input of an admin creating an agent.
struct NewAgent {
  std::string id;
  std::string name;
  std::string password;
  std::vector<std::string> menus;
  bool admin = false;
};

// The uniform answer to any failed login (B2): it never says which field was wrong.
inline constexpr std::string_view kWrongCredentials =
    "The organization, agent ID or password is not correct.";

class AccountService {
 public:
  AccountService(AccountStore& accounts, acd::DirectoryStore& directory,
                 const PasswordHasher& hasher, const core::Clock& clock, AccountOptions options = {});

  void setListener(SessionListener* listener) { listener_ = listener; }

  core::Result<LoginResult> login(std::string_view org, std::string_view agent,
                                  std::string_view password, std::string_view client_ip);
  core::Result<Session> authenticate(std::string_view bearer_token);
  core::Result<void> logout(const Session& session);
  // Whether the agent has a session that has not expired (is logged in somewhere).
  core::Result<bool> hasLiveSession(acd::AgentKey agent);

  // B4: the current password, then a new one that passes the policy. Other sessions end.
  core::Result<void> changePassword(const Session& session, std::string_view current,
                                    std::string_view next, std::string_view client_ip);
  // B3: an admin sets a new password; every session of that agent ends and the agent
  // is asked to change it at the next login.
  core::Result<void> resetPassword(acd::OrgId org, std::string_view agent_id, std::string_view next);

  core::Result<acd::Agent> createAgent(acd::OrgId org, const NewAgent& agent);
  core::Result<acd::Agent> updateAgent(acd::OrgId org, std::string_view agent_id,
                                       const acd::AgentPatch& patch);

  // B5: an admin reset, or a password older than the org's maximum age.
  bool mustChangePassword(const acd::Org& org, const Credentials& credentials) const;
  core::Result<bool> mustChangePasswordOf(const acd::Org& org, acd::AgentKey agent);

  // Agent IDs become SIP user parts: 1–64 of letters, digits, '.', '_', '-'.
  static bool isValidAgentId(std::string_view id);
  // Names: 1–200 Unicode characters, no control characters.
  static std::optional<std::string> checkName(std::string_view name);

  // Counts for /metrics.
  size_t cachedSessions() const;
  size_t hashesInFlight() const;

 private:
  // Bounds concurrent Argon2id runs (each takes ~19 MiB and tens of ms of a core).
  class HashSlot;
  core::Result<HashSlot> acquireHashSlot();
  void releaseHashSlot();

  std::string throttleKey(std::string_view org, std::string_view agent) const;
  void forgetSessionsOf(acd::AgentKey agent, std::optional<TokenHash> except);

  AccountStore& accounts_;
  acd::DirectoryStore& directory_;
  const PasswordHasher& hasher_;
  const core::Clock& clock_;
  AccountOptions options_;
  LoginThrottle throttle_;
  SessionListener* listener_ = nullptr;

  mutable std::mutex hash_mutex_;
  std::condition_variable hash_cv_;
  size_t hashes_running_ = 0;
  size_t hashes_waiting_ = 0;
  size_t max_hashes_;

  struct TokenHashHasher {
    size_t operator()(const TokenHash& h) const noexcept {
      size_t v;
      static_assert(sizeof v <= sizeof(TokenHash));
      std::memcpy(&v, h.data(), sizeof v);  // already uniformly random
      return v;
    }
  };
  mutable std::mutex cache_mutex_;
  struct Cached {
    Session session;
    core::Time checked_at;
  };
  std::unordered_map<TokenHash, Cached, TokenHashHasher> cache_;
};

}  // namespace sb::account
