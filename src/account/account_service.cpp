#include "account/account_service.hpp"

#include <algorithm>
#include <thread>

#include "account/password_policy.hpp"
#include "account/session_token.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"

namespace sb::account {

using core::ErrorCode;
using core::makeError;
using core::Result;

class AccountService::HashSlot {
 public:
  explicit HashSlot(AccountService* owner) : owner_(owner) {}
  HashSlot(HashSlot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
  HashSlot& operator=(HashSlot&&) = delete;
  ~HashSlot() {
    if (owner_) owner_->releaseHashSlot();
  }

 private:
  AccountService* owner_;
};

AccountService::AccountService(AccountStore& accounts, acd::DirectoryStore& directory,
                               const PasswordHasher& hasher, const core::Clock& clock,
                               AccountOptions options)
    : accounts_(accounts),
      directory_(directory),
      hasher_(hasher),
      clock_(clock),
      options_(options),
      throttle_(clock, options.throttle),
      max_hashes_(options.max_concurrent_hashes
                      ? options.max_concurrent_hashes
                      : std::max<size_t>(1, std::thread::hardware_concurrency())) {}

Result<AccountService::HashSlot> AccountService::acquireHashSlot() {
  std::unique_lock lock(hash_mutex_);
  if (hashes_running_ >= max_hashes_) {
    if (hashes_waiting_ >= options_.max_waiting_hashes) {
      core::Error e = makeError(ErrorCode::kUnavailable, "Too many logins at once; try again shortly.");
      e.retry_after = std::chrono::seconds{1};
      return e;
    }
    ++hashes_waiting_;
    hash_cv_.wait(lock, [&] { return hashes_running_ < max_hashes_; });
    --hashes_waiting_;
  }
  ++hashes_running_;
  return HashSlot(this);
}

void AccountService::releaseHashSlot() {
  {
    std::lock_guard lock(hash_mutex_);
    --hashes_running_;
  }
  hash_cv_.notify_one();
}

size_t AccountService::hashesInFlight() const {
  std::lock_guard lock(hash_mutex_);
  return hashes_running_ + hashes_waiting_;
}

size_t AccountService::cachedSessions() const {
  std::lock_guard lock(cache_mutex_);
  return cache_.size();
}

std::string AccountService::throttleKey(std::string_view org, std::string_view agent) const {
  std::string key(org);
  key += '\x1e';
  key += agent;
  return key;
}

bool AccountService::mustChangePassword(const acd::Org& org, const Credentials& c) const {
  if (c.must_change_password) return true;
  if (org.password_max_age_days <= 0) return false;
  return clock_.now() - c.password_changed_at > std::chrono::days{org.password_max_age_days};
}

Result<bool> AccountService::mustChangePasswordOf(const acd::Org& org, acd::AgentKey agent) {
  auto creds = accounts_.findCredentials(agent);
  if (!creds) return creds.error();
  return mustChangePassword(org, *creds);
}

bool AccountService::isValidAgentId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::optional<std::string> AccountService::checkName(std::string_view name) {
  auto len = core::utf8Length(name);
  if (!len) return "The name is not valid UTF-8 text.";
  if (*len == 0) return "The name must not be empty.";
  if (*len > 200) return "The name must have at most 200 characters.";
  if (core::hasControlCharacters(name)) return "The name must not contain control characters.";
  return std::nullopt;
}

Result<LoginResult> AccountService::login(std::string_view org_name, std::string_view agent_id,
                                          std::string_view password, std::string_view client_ip) {
  const std::string key = throttleKey(org_name, agent_id);
  if (auto wait = throttle_.check(key, client_ip)) {
    core::security("login_throttled", client_ip, {{"org", org_name}, {"agent", agent_id},
                                                  {"retry_after_s", static_cast<int64_t>(wait->count())}});
    core::Error e = makeError(ErrorCode::kTooManyRequests,
                              "Too many failed logins. Wait before trying again.");
    e.retry_after = *wait;
    return e;
  }
  auto slot = acquireHashSlot();
  if (!slot) return slot.error();

  auto found = accounts_.findLogin(org_name, agent_id);
  if (!found && found.error().code != ErrorCode::kNotFound) return found.error();
  // An unknown org or agent costs one Argon2id verification like a known one (B2).
  const std::string& phc = found ? found->credentials.password_hash : hasher_.dummyHash();
  const bool verified = hasher_.verify(phc.empty() ? hasher_.dummyHash() : phc, password) && found &&
                        !phc.empty();
  if (!verified) {
    throttle_.recordFailure(key, client_ip);
    core::security("login_failed", client_ip, {{"org", org_name}, {"agent", agent_id}});
    return makeError(ErrorCode::kUnauthenticated, std::string(kWrongCredentials));
  }
  LoginRecord& rec = *found;
  if (!rec.agent.enabled) {
    core::security("login_disabled", client_ip, {{"org", org_name}, {"agent", agent_id}});
    return makeError(ErrorCode::kForbidden, "This account is disabled. Ask your administrator.");
  }
  throttle_.recordSuccess(key, client_ip);

  NewToken token = newSessionToken();
  const core::Time now = clock_.now();
  SessionRecord record{token.hash, rec.org.id, rec.agent.key, now, now + options_.session_ttl,
                       std::string(client_ip)};
  if (auto created = accounts_.createSession(record); !created) return created.error();
  Session session{record.token_hash, record.org, record.agent, record.expires_at};
  {
    std::lock_guard lock(cache_mutex_);
    cache_[session.token_hash] = Cached{session, now};
  }
  core::logInfo("login", {{"org", org_name}, {"agent", agent_id}, {"ip", client_ip}});
  const bool must_change = mustChangePassword(rec.org, rec.credentials);
  return LoginResult{std::move(token.token), session, std::move(rec.org), std::move(rec.agent),
                     must_change};
}

Result<Session> AccountService::authenticate(std::string_view bearer_token) {
  auto hash = hashSessionToken(bearer_token);
  if (!hash) return makeError(ErrorCode::kUnauthenticated, "The session token is not valid.");
  const core::Time now = clock_.now();
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(*hash); it != cache_.end()) {
      if (now >= it->second.session.expires_at) {
        cache_.erase(it);
        return makeError(ErrorCode::kUnauthenticated, "The session has expired. Log in again.");
      }
      if (now - it->second.checked_at < options_.session_recheck) return it->second.session;
      cache_.erase(it);  // re-read below
    }
  }
  auto record = accounts_.findSession(*hash);
  if (!record) {
    if (record.error().code == ErrorCode::kNotFound) {
      return makeError(ErrorCode::kUnauthenticated, "The session has ended. Log in again.");
    }
    return record.error();
  }
  if (now >= record->expires_at) {
    return makeError(ErrorCode::kUnauthenticated, "The session has expired. Log in again.");
  }
  Session session{record->token_hash, record->org, record->agent, record->expires_at};
  std::lock_guard lock(cache_mutex_);
  cache_[session.token_hash] = Cached{session, now};
  return session;
}

Result<void> AccountService::logout(const Session& session) {
  {
    std::lock_guard lock(cache_mutex_);
    cache_.erase(session.token_hash);
  }
  auto deleted = accounts_.deleteSession(session.token_hash);
  if (!deleted && deleted.error().code != ErrorCode::kNotFound) return deleted.error();
  if (listener_) listener_->onSessionEnded(session.token_hash);
  return {};
}

Result<bool> AccountService::hasLiveSession(acd::AgentKey agent) {
  return accounts_.hasLiveSession(agent, clock_.now());
}

void AccountService::forgetSessionsOf(acd::AgentKey agent, std::optional<TokenHash> except) {
  {
    std::lock_guard lock(cache_mutex_);
    std::erase_if(cache_, [&](const auto& kv) {
      return kv.second.session.agent == agent && (!except || kv.first != *except);
    });
  }
  if (listener_) listener_->onAgentSessionsEnded(agent, except);
}

Result<void> AccountService::changePassword(const Session& session, std::string_view current,
                                            std::string_view next, std::string_view client_ip) {
  auto agent = directory_.findAgentByKey(session.org, session.agent);
  if (!agent) return agent.error();
  auto org = directory_.findOrgById(session.org);
  if (!org) return org.error();
  const std::string key = throttleKey(org->name, agent->id);
  if (auto wait = throttle_.check(key, client_ip)) {
    core::Error e = makeError(ErrorCode::kTooManyRequests, "Too many wrong passwords. Wait before trying again.");
    e.retry_after = *wait;
    return e;
  }
  auto slot = acquireHashSlot();
  if (!slot) return slot.error();
  auto creds = accounts_.findCredentials(session.agent);
  if (!creds) return creds.error();
  // The current password first: a guess must cost a throttled attempt whatever `next` is.
  if (!hasher_.verify(creds->password_hash, current)) {
    throttle_.recordFailure(key, client_ip);
    core::security("password_change_failed", client_ip, {{"org", org->name}, {"agent", agent->id}});
    return makeError(ErrorCode::kForbidden, "The current password is not correct.");
  }
  throttle_.recordSuccess(key, client_ip);
  if (auto problem = checkNewPassword(next, agent->id)) {
    return makeError(ErrorCode::kInvalidInput, *problem);
  }
  if (current == next) {
    return makeError(ErrorCode::kInvalidInput, "The new password must differ from the current one.");
  }
  Credentials updated{hasher_.hash(next), clock_.now(), false};
  if (auto set = accounts_.setPassword(session.agent, updated, session.token_hash); !set) {
    return set.error();
  }
  forgetSessionsOf(session.agent, session.token_hash);
  core::logInfo("password_changed", {{"org", org->name}, {"agent", agent->id}});
  return {};
}

Result<void> AccountService::resetPassword(acd::OrgId org, std::string_view agent_id,
                                           std::string_view next) {
  auto agent = directory_.findAgent(org, agent_id);
  if (!agent) return agent.error();
  if (auto problem = checkNewPassword(next, agent->id)) {
    return makeError(ErrorCode::kInvalidInput, *problem);
  }
  auto slot = acquireHashSlot();
  if (!slot) return slot.error();
  Credentials updated{hasher_.hash(next), clock_.now(), true};
  if (auto set = accounts_.setPassword(agent->key, updated, std::nullopt); !set) return set.error();
  forgetSessionsOf(agent->key, std::nullopt);
  core::logInfo("password_reset", {{"org_id", org}, {"agent", agent->id}});
  return {};
}

Result<acd::Agent> AccountService::createAgent(acd::OrgId org, const NewAgent& input) {
  if (!isValidAgentId(input.id)) {
    return makeError(ErrorCode::kInvalidInput,
                     "The agent ID must be 1–64 letters, digits, '.', '_' or '-'.");
  }
  if (auto problem = checkName(input.name)) return makeError(ErrorCode::kInvalidInput, *problem);
  if (auto problem = checkNewPassword(input.password, input.id)) {
    return makeError(ErrorCode::kInvalidInput, *problem);
  }
  acd::AgentImport agent;
  agent.id = input.id;
  agent.name = input.name;
  agent.menus = input.menus;
  agent.admin = input.admin;
  agent.enabled = true;
  agent.sip_secret = randomSecret(20);
  {
    auto slot = acquireHashSlot();
    if (!slot) return slot.error();
    agent.password_hash = hasher_.hash(input.password);
  }
  auto created = directory_.createAgent(org, agent, clock_.now());
  if (!created) return created;
  // The admin chose this password, as with a reset: the agent is asked to change it.
  Credentials credentials{*agent.password_hash, clock_.now(), true};
  if (auto set = accounts_.setPassword(created->key, credentials, std::nullopt); !set) return set.error();
  return created;
}

Result<acd::Agent> AccountService::updateAgent(acd::OrgId org, std::string_view agent_id,
                                               const acd::AgentPatch& patch) {
  if (patch.name) {
    if (auto problem = checkName(*patch.name)) return makeError(ErrorCode::kInvalidInput, *problem);
  }
  auto updated = directory_.updateAgent(org, agent_id, patch, clock_.now());
  if (updated && patch.enabled && !*patch.enabled) forgetSessionsOf(updated->key, std::nullopt);
  return updated;
}

}  // namespace sb::account
