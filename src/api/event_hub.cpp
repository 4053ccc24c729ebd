#include "api/event_hub.hpp"

#include <algorithm>
#include <charconv>

#include "core/check.hpp"

namespace sb::api {

EventText::EventText(std::string_view text) : size_(text.size()) {
  if (text.empty()) return;
  data_ = std::make_shared_for_overwrite<char[]>(size_);
  std::memcpy(data_.get(), text.data(), size_);
}

EventText EventText::withSeq(std::string_view object, uint64_t seq) {
  SB_ASSERT(!object.empty() && object.front() == '{', "an event is a JSON object");
  if (object.empty() || object.front() != '{') return EventText(object);
  constexpr std::string_view kKey = R"("seq":)";
  char digits[20];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), seq);
  const std::string_view number(digits, static_cast<size_t>(end - digits));
  const std::string_view rest = object.substr(1);
  const bool empty_object = !rest.empty() && rest.front() == '}';

  EventText t;
  t.size_ = object.size() + kKey.size() + number.size() + (empty_object ? 0 : 1);
  t.data_ = std::make_shared_for_overwrite<char[]>(t.size_);
  char* out = t.data_.get();
  *out++ = '{';
  out = std::copy(kKey.begin(), kKey.end(), out);
  out = std::copy(number.begin(), number.end(), out);
  if (!empty_object) *out++ = ',';
  std::copy(rest.begin(), rest.end(), out);
  return t;
}

EventHub::EventHub(EventHubOptions options, const core::Clock* clock)
    : options_(options), clock_(clock ? *clock : system_clock_) {}

void EventHub::add(EventConnection* connection, acd::OrgId org, acd::AgentKey agent,
                   const account::TokenHash& session, bool admin, std::string_view hello,
                   std::optional<uint64_t> since) {
  std::lock_guard lock(mutex_);
  const core::Time now = clock_.now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = idleExpired(it->second, now) ? eraseSession(it) : std::next(it);
  }
  if (auto old = connections_.find(connection); old != connections_.end()) {
    if (auto s = sessions_.find(old->second); s != sessions_.end())
      std::erase(s->second.connections, connection);
  }
  Session& s = sessions_[session];
  org_sessions_[org].insert(session);
  s.org = org;
  s.agent = agent;
  s.admin = admin;
  trim(s, now);
  s.connections.push_back(connection);
  connections_[connection] = session;

  // Everything below is sent under the lock, so no event published meanwhile can
  // overtake the hello or the replay, nor fall between the two.
  if (!hello.empty()) connection->sendEvent(EventText::withSeq(hello, s.last_seq));
  if (!since) return;
  const uint64_t first_kept = s.events.empty() ? s.last_seq + 1 : s.events.front().seq;
  if (*since > s.last_seq || *since + 1 < first_kept) {
    connection->sendEvent(EventText::withSeq(R"({"type":"resync"})", s.last_seq));
    return;
  }
  // The buffer holds consecutive seqs, so the first one to replay is found by index.
  for (size_t i = static_cast<size_t>(*since + 1 - first_kept); i < s.events.size(); ++i) {
    connection->sendEvent(s.events[i].text);
  }
}

void EventHub::remove(EventConnection* connection) {
  std::lock_guard lock(mutex_);
  auto c = connections_.find(connection);
  if (c == connections_.end()) return;
  if (auto s = sessions_.find(c->second); s != sessions_.end()) {
    auto& conns = s->second.connections;
    if (std::erase(conns, connection) > 0 && conns.empty()) s->second.idle_since = clock_.now();
  }
  connections_.erase(c);
}

size_t EventHub::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

size_t EventHub::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

size_t EventHub::bufferedEvents() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [hash, s] : sessions_) n += s.events.size();
  return n;
}

uint64_t EventHub::lastSeq(const account::TokenHash& session) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session);
  return it == sessions_.end() ? 0 : it->second.last_seq;
}

bool EventHub::idleExpired(const Session& session, core::Time now) const {
  return session.connections.empty() && now - session.idle_since >= options_.idle_session_ttl;
}

void EventHub::trim(Session& s, core::Time now) const {
  while (!s.events.empty() &&
         (s.events.size() > options_.max_buffered_events || s.bytes > options_.max_buffered_bytes ||
          now - s.events.front().at > options_.max_buffered_age)) {
    s.bytes -= s.events.front().text.size();
    s.events.pop_front();
  }
}

void EventHub::deliver(Session& s, std::string_view text, core::Time now) {
  EventText numbered = EventText::withSeq(text, ++s.last_seq);
  s.bytes += numbered.size();
  s.events.push_back(Buffered{s.last_seq, now, numbered});
  trim(s, now);
  for (EventConnection* c : s.connections) c->sendEvent(numbered);
}

EventHub::Sessions::iterator EventHub::eraseSession(Sessions::iterator it) {
  if (auto o = org_sessions_.find(it->second.org); o != org_sessions_.end()) {
    o->second.erase(it->first);
    if (o->second.empty()) org_sessions_.erase(o);
  }
  return sessions_.erase(it);
}

// Only the org's sessions are looked at (a busy server has many orgs, each publishing
// every call's events); the scan also forgets the org's idle ones, so that memory stays
// bounded without a timer of its own (add() forgets every org's).
template <typename Concerns>
void EventHub::publishWhere(acd::OrgId org, std::string_view text, Concerns concerns) {
  std::lock_guard lock(mutex_);
  auto o = org_sessions_.find(org);
  if (o == org_sessions_.end()) return;
  const core::Time now = clock_.now();
  std::vector<account::TokenHash> idle;
  for (const account::TokenHash& hash : o->second) {
    auto it = sessions_.find(hash);
    if (it == sessions_.end()) continue;  // cannot happen: both are kept together
    if (idleExpired(it->second, now)) {
      idle.push_back(hash);
    } else if (concerns(it->second)) {
      deliver(it->second, text, now);
    }
  }
  for (const account::TokenHash& hash : idle) {
    if (auto it = sessions_.find(hash); it != sessions_.end()) eraseSession(it);
  }
}

void EventHub::publish(acd::OrgId org, const std::string& text, bool admins_only) {
  publishWhere(org, text, [&](const Session& s) { return !admins_only || s.admin; });
}

void EventHub::publishToAgent(acd::AgentKey agent, const std::string& text) {
  acd::OrgId org = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [hash, s] : sessions_) {
      if (s.agent == agent) {
        org = s.org;
        break;
      }
    }
  }
  if (org != 0) publishWhere(org, text, [&](const Session& s) { return s.agent == agent; });
}

void EventHub::publishToAgentAndAdmins(acd::OrgId org, acd::AgentKey agent,
                                       const std::string& text) {
  publishWhere(org, text, [&](const Session& s) { return s.agent == agent || s.admin; });
}

void EventHub::publishToAgentsAndAdmins(acd::OrgId org, const std::vector<acd::AgentKey>& agents,
                                        const std::string& text) {
  publishWhere(org, text, [&](const Session& s) {
    return s.admin || std::find(agents.begin(), agents.end(), s.agent) != agents.end();
  });
}

void EventHub::endSession(Sessions::iterator it) {
  // The connections stay registered until their sockets remove them.
  for (EventConnection* c : it->second.connections) c->close("session ended");
  eraseSession(it);
}

void EventHub::onAgentSessionsEnded(acd::AgentKey agent, std::optional<account::TokenHash> except) {
  std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (it->second.agent == agent && (!except || it->first != *except)) endSession(it);
    it = next;
  }
}

void EventHub::onSessionEnded(const account::TokenHash& session) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(session); it != sessions_.end()) endSession(it);
}

}  // namespace sb::api
