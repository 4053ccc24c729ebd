#include "app/sip_directory.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace sb::app {
namespace {

std::string secretKey(std::string_view domain, std::string_view user) {
  std::string key(domain);
  key.push_back('\x1f');
  key.append(user);
  return key;
}

// The address as the transport prints it, so that "2001:DB8::0010" matches.
std::string normalizeIp(const std::string& text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(text, ec);
  return ec ? text : address.to_string();
}

// "host:port" or "[v6]:port"; the port defaults to 5060.
void splitHostPort(const std::string& text, std::string& host, uint16_t& port) {
  port = 5060;
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    host = std::string(rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    rest = close == std::string_view::npos ? std::string_view{} : rest.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  } else {
    const size_t colon = rest.rfind(':');
    host = std::string(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
  }
  uint16_t value = 0;
  if (!rest.empty() && std::from_chars(rest.data(), rest.data() + rest.size(), value).ec == std::errc{} && value != 0) {
    port = value;
  }
  host = normalizeIp(host);
}

}  // namespace

core::Result<std::shared_ptr<const SipDirectorySnapshot>> SipDirectorySnapshot::load(acd::DirectoryStore& store) {
  auto snapshot = std::make_shared<SipDirectorySnapshot>();
  auto trunks = store.listTrunks();
  if (!trunks) return trunks.error();
  for (const acd::Trunk& t : *trunks) {
    SipTrunk trunk;
    trunk.name = t.name;
    trunk.address = normalizeIp(t.address);
    splitHostPort(t.outbound, trunk.outbound_host, trunk.outbound_port);
    snapshot->trunks_.push_back(std::move(trunk));
  }
  auto orgs = store.listOrgs();
  if (!orgs) return orgs.error();
  for (const acd::Org& o : *orgs) {
    SipOrg org;
    org.id = o.id;
    org.name = o.name;
    org.domain = o.domain;
    org.numbers = o.numbers;
    org.ring_timeout_s = o.ring_timeout_s;
    auto agents = store.listAgents(o.id);
    if (!agents) return agents.error();
    snapshot->center_orgs_.push_back(CenterOrg{o, *agents});
    for (const acd::Agent& a : *agents) {
      if (!a.enabled || a.sip_secret.empty()) continue;
      org.agents.push_back(a.id);
      snapshot->secrets_[secretKey(o.domain, a.id)] = a.sip_secret;
    }
    const size_t index = snapshot->orgs_.size();
    for (const std::string& n : o.numbers) snapshot->org_by_number_[n] = index;
    snapshot->org_by_domain_[o.domain] = index;
    snapshot->orgs_.push_back(std::move(org));
  }
  return std::shared_ptr<const SipDirectorySnapshot>(std::move(snapshot));
}

std::shared_ptr<const SipDirectorySnapshot> SipDirectorySnapshot::empty() {
  return std::make_shared<const SipDirectorySnapshot>();
}

const SipTrunk* SipDirectorySnapshot::trunkAt(std::string_view ip) const {
  for (const SipTrunk& t : trunks_) {
    if (t.address == ip) return &t;
  }
  return nullptr;
}

const SipOrg* SipDirectorySnapshot::orgForNumber(std::string_view number) const {
  auto it = org_by_number_.find(std::string(number));
  return it == org_by_number_.end() ? nullptr : &orgs_[it->second];
}

const SipOrg* SipDirectorySnapshot::orgForDomain(std::string_view domain) const {
  auto it = org_by_domain_.find(std::string(domain));
  return it == org_by_domain_.end() ? nullptr : &orgs_[it->second];
}

std::optional<std::string> SipDirectorySnapshot::deviceSecret(std::string_view domain, std::string_view user) const {
  auto it = secrets_.find(secretKey(domain, user));
  if (it == secrets_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> SipDirectorySnapshot::trunkAddresses() const {
  std::vector<std::string> out;
  for (const SipTrunk& t : trunks_) out.push_back(t.address);
  return out;
}

std::optional<std::string> LiveSipDirectory::trunkAt(std::string_view ip) const {
  const SipTrunk* trunk = current_->trunkAt(ip);
  if (trunk == nullptr) return std::nullopt;
  return trunk->name;
}

bool LiveSipDirectory::isServedNumber(std::string_view number) const {
  return current_->orgForNumber(number) != nullptr;
}

std::optional<std::string> LiveSipDirectory::deviceSecret(std::string_view domain, std::string_view user) const {
  return current_->deviceSecret(domain, user);
}

}  // namespace sb::app
