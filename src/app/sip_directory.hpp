#pragma once
// What the SIP endpoint needs from the directory, as an immutable snapshot built off the
// SIP thread (a worker reads the store) and swapped in whole: lookups on the call path
// never block and never lock. docs/sip.md says how fresh it is.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acd/directory.hpp"
#include "core/result.hpp"
#include "sip/sip_endpoint.hpp"

namespace sb::app {

struct SipOrg {
  acd::OrgId id = 0;
  std::string name;
  std::string domain;
  std::vector<std::string> numbers;
  std::vector<std::string> agents;  // IDs of enabled agents
  int ring_timeout_s = 15;
};

// One org as the directory has it now, for the contact center.
struct CenterOrg {
  acd::Org org;
  std::vector<acd::Agent> agents;
};

struct SipTrunk {
  std::string name;
  std::string address;   // normalized IP text (as the transport prints it)
  std::string outbound_host;
  uint16_t outbound_port = 5060;
};

class SipDirectorySnapshot {
 public:
  static core::Result<std::shared_ptr<const SipDirectorySnapshot>> load(acd::DirectoryStore& store);
  static std::shared_ptr<const SipDirectorySnapshot> empty();

  const SipTrunk* trunkAt(std::string_view ip) const;
  const SipOrg* orgForNumber(std::string_view number) const;
  const SipOrg* orgForDomain(std::string_view domain) const;
  std::optional<std::string> deviceSecret(std::string_view domain, std::string_view user) const;
  const std::vector<SipTrunk>& trunks() const { return trunks_; }
  std::vector<std::string> trunkAddresses() const;
  // Every org with all its agents (disabled ones included), for ContactCenter.
  const std::vector<CenterOrg>& centerOrgs() const { return center_orgs_; }

 private:
  std::vector<SipTrunk> trunks_;
  std::vector<SipOrg> orgs_;
  std::vector<CenterOrg> center_orgs_;
  std::unordered_map<std::string, size_t> org_by_number_;
  std::unordered_map<std::string, size_t> org_by_domain_;
  std::unordered_map<std::string, std::string> secrets_;  // domain \x1f agent → secret
};

// The SipDirectory the endpoint reads: whatever snapshot is current. Owned and updated on
// the SIP strand only.
class LiveSipDirectory final : public sip::SipDirectory {
 public:
  LiveSipDirectory() : current_(SipDirectorySnapshot::empty()) {}
  void replace(std::shared_ptr<const SipDirectorySnapshot> next) { current_ = std::move(next); }
  const SipDirectorySnapshot& current() const { return *current_; }

  std::optional<std::string> trunkAt(std::string_view ip) const override;
  bool isServedNumber(std::string_view number) const override;
  std::optional<std::string> deviceSecret(std::string_view domain, std::string_view user) const override;

 private:
  std::shared_ptr<const SipDirectorySnapshot> current_;
};

}  // namespace sb::app
