#pragma once
// What the account layer needs from storage: an agent's login credentials and the
// sessions (hashed tokens) it has. Implementations: store::SqliteStore.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::account {

// SHA-256 of a session token: tokens are never stored, only their hashes.
using TokenHash = std::array<uint8_t, 32>;

struct Credentials {
  std::string password_hash;  // PHC string ($argon2id$…); empty: no password set
  core::Time password_changed_at{};
  bool must_change_password = false;  // set by an admin reset
};

// Everything a login needs, found by (org name, agent ID), both exact.
struct LoginRecord {
  acd::Org org;
  acd::Agent agent;
  Credentials credentials;
};

struct SessionRecord {
  TokenHash token_hash{};
  acd::OrgId org = 0;
  acd::AgentKey agent = 0;
  core::Time created_at{};
  core::Time expires_at{};
  std::string client;  // the client address at login, for the record
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // kNotFound when the org or the agent does not exist (the caller must not tell which).
  virtual core::Result<LoginRecord> findLogin(std::string_view org_name,
                                              std::string_view agent_id) = 0;
  virtual core::Result<Credentials> findCredentials(acd::AgentKey agent) = 0;

  // Sets the password and deletes every session of the agent except `keep` (the
  // session that changed its own password), in one transaction.
  virtual core::Result<void> setPassword(acd::AgentKey agent, const Credentials& credentials,
                                         std::optional<TokenHash> keep) = 0;

  virtual core::Result<void> createSession(const SessionRecord& session) = 0;
  // kNotFound when absent; expiry is the caller's to check.
  virtual core::Result<SessionRecord> findSession(const TokenHash& token_hash) = 0;
  virtual core::Result<void> deleteSession(const TokenHash& token_hash) = 0;
  // Returns the hashes deleted, so that live connections of those sessions can be closed.
  virtual core::Result<std::vector<TokenHash>> deleteSessionsOf(acd::AgentKey agent,
                                                                std::optional<TokenHash> keep) = 0;
  virtual core::Result<int> deleteExpiredSessions(core::Time now) = 0;
  // Whether the agent has a session that has not expired at `now` (so is logged in).
  virtual core::Result<bool> hasLiveSession(acd::AgentKey agent, core::Time now) = 0;
};

}  // namespace sb::account
