// importProvisioningFile against a real SqliteStore: create, re-import without change,
// update only what changed, refuse bad files and database clashes without writing, and
// never store a plaintext password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "app/provisioning.hpp"
#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr std::string_view kAlicePassword = "Lantern-Quietly-47";
constexpr std::string_view kBobHash =
    "$argon2id$v=19$m=19456,t=2,p=1$LFOIlo6sy4U84Dhv4CLY3Q$"
    "ZCFThsEZj9YzgNc4OnTRRSM8w1jjQUU11347SQ4xdik";

// Line numbers matter to the tests that edit it: numbers on 11, domain on 9.
const std::string kFile = R"([[trunks]]
name = "pstn"
address = "203.0.113.10"
outbound = "203.0.113.10:5060"

[[orgs]]
name = "Acme"
country_code = "82"
domain = "acme.example"
timezone = "UTC"
numbers = ["0215880000"]
categories = ["Orders", "Other"]
ring_timeout_s = 20
  [[orgs.menus]]
  digit = "1"
  name = "Orders"
  [[orgs.menus]]
  digit = "2"
  name = "Refunds"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Kim"
  password = "Lantern-Quietly-47"
  menus = ["2", "1"]
  admin = true
  [[orgs.agents]]
  id = "bob"
  name = "Bob"
  password_hash = "$argon2id$v=19$m=19456,t=2,p=1$LFOIlo6sy4U84Dhv4CLY3Q$ZCFThsEZj9YzgNc4OnTRRSM8w1jjQUU11347SQ4xdik"
  sip_secret = "bob-phone-secret"
  menus = ["2"]
)";

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Everything in every file of the data directory (database, WAL, shared memory).
std::string allBytes(const std::filesystem::path& dir) {
  std::string bytes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes;
}

struct ImportRun {
  int status = -1;
  std::string out, err;
};

class ProvisioningImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteStore::open(data_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }

  ImportRun run(const std::string& text, acd::DirectoryStore* directory = nullptr) {
    const auto path = files_.write("acme.toml", text);
    ImportRun r;
    std::ostringstream out, err;
    r.status = importProvisioningFile(path, directory ? *directory : *store_, *store_, hasher_,
                                      clock_, out, err);
    r.out = out.str();
    // Messages name the file by path; tests compare them relative to it.
    r.err = err.str();
    for (size_t at; (at = r.err.find(path.string())) != std::string::npos;) {
      r.err.replace(at, path.string().size(), "acme.toml");
    }
    return r;
  }

  acd::Org org(std::string_view name) {
    auto o = store_->findOrg(name);
    EXPECT_TRUE(o.ok()) << name;
    return o.ok() ? *o : acd::Org{};
  }

  acd::Agent agent(std::string_view org_name, std::string_view id) {
    auto a = store_->findAgent(org(org_name).id, id);
    EXPECT_TRUE(a.ok()) << id;
    return a.ok() ? *a : acd::Agent{};
  }

  std::string passwordHash(std::string_view org_name, std::string_view id) {
    auto c = store_->findCredentials(agent(org_name, id).key);
    EXPECT_TRUE(c.ok());
    return c.ok() ? c->password_hash : std::string();
  }

  account::TokenHash openSession(std::string_view org_name, std::string_view id, uint8_t seed) {
    const acd::Agent a = agent(org_name, id);
    account::SessionRecord session;
    session.token_hash.fill(seed);
    session.org = a.org;
    session.agent = a.key;
    session.created_at = clock_.now();
    session.expires_at = clock_.now() + std::chrono::hours(8);
    EXPECT_TRUE(store_->createSession(session).ok());
    return session.token_hash;
  }

  bool sessionExists(const account::TokenHash& token) { return store_->findSession(token).ok(); }

  // Every stored record as text, timestamps included: equal means nothing was written.
  std::string snapshot() {
    std::ostringstream s;
    auto trunks = store_->listTrunks();
    EXPECT_TRUE(trunks.ok());
    for (const auto& t : *trunks)
      s << "trunk " << t.name << " " << t.address << " " << t.outbound << "\n";
    auto orgs = store_->listOrgs();
    EXPECT_TRUE(orgs.ok());
    for (const acd::Org& o : *orgs) {
      s << "org " << o.id << " " << o.name << " " << o.domain << " " << o.timezone << " "
        << o.country_code << " " << acd::toString(o.after_login) << " "
        << acd::toString(o.after_call) << " " << o.ring_timeout_s << " " << o.service_level_s << " "
        << o.password_max_age_days;
      for (const auto& n : o.numbers) s << " #" << n;
      for (const auto& c : o.categories) s << " c:" << c;
      for (const auto& m : o.menus) s << " m" << m.digit << ":" << m.name;
      s << "\n";
      auto agents = store_->listAgents(o.id);
      EXPECT_TRUE(agents.ok());
      for (const acd::Agent& a : *agents) {
        s << "  agent " << a.key << " " << a.id << " " << a.name << " admin=" << a.admin
          << " enabled=" << a.enabled << " sip=" << a.sip_secret
          << " created=" << core::toUnixMillis(a.created_at);
        for (const auto& m : a.menus) s << " m" << m;
        auto c = store_->findCredentials(a.key);
        EXPECT_TRUE(c.ok());
        s << " pw=" << c->password_hash << "@" << core::toUnixMillis(c->password_changed_at)
          << " must_change=" << c->must_change_password << "\n";
      }
    }
    return s.str();
  }

  testing::TempDir data_, files_;
  std::unique_ptr<store::SqliteStore> store_;
  // libsodium's minimum cost keeps each hash well under a millisecond.
  account::PasswordHasher hasher_{account::HashCost{1, crypto_pwhash_argon2id_MEMLIMIT_MIN}};
  core::ManualClock clock_;
};

TEST_F(ProvisioningImportTest, CreatesEverythingThenAReimportChangesNothing) {
  const ImportRun first = run(kFile);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.out,
            "imported: 1 org created, 0 updated; 2 agents created, 0 updated; "
            "1 trunk created, 0 updated; 0 unchanged\n");
  EXPECT_THAT(first.err, IsEmpty());

  const acd::Org acme = org("Acme");
  EXPECT_EQ(acme.domain, "acme.example");
  EXPECT_EQ(acme.ring_timeout_s, 20);
  EXPECT_EQ(acme.after_call, acd::AfterCall::kAfterCallWork);
  EXPECT_EQ(acme.numbers, std::vector<std::string>{"0215880000"});
  EXPECT_EQ(acme.categories, (std::vector<std::string>{"Orders", "Other"}));
  EXPECT_EQ(acme.menus, (std::vector<acd::Menu>{{"1", "Orders"}, {"2", "Refunds"}}));
  const acd::Agent alice = agent("Acme", "alice");
  EXPECT_EQ(alice.name, "Alice Kim");
  EXPECT_TRUE(alice.admin);
  EXPECT_TRUE(alice.enabled);
  EXPECT_EQ(alice.menus, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(alice.sip_secret.size(), 20u);  // generated
  EXPECT_TRUE(hasher_.verify(passwordHash("Acme", "alice"), kAlicePassword));
  EXPECT_EQ(agent("Acme", "bob").sip_secret, "bob-phone-secret");
  EXPECT_EQ(passwordHash("Acme", "bob"), kBobHash);

  const auto alice_session = openSession("Acme", "alice", 1);
  const auto bob_session = openSession("Acme", "bob", 2);
  const std::string before = snapshot();
  clock_.advance(std::chrono::hours(1));

  const ImportRun second = run(kFile);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.out,
            "imported: 0 orgs created, 0 updated; 0 agents created, 0 updated; "
            "0 trunks created, 0 updated; 4 unchanged\n");
  EXPECT_EQ(snapshot(), before);
  EXPECT_TRUE(sessionExists(alice_session));
  EXPECT_TRUE(sessionExists(bob_session));
}

TEST_F(ProvisioningImportTest, UpdatesOnlyWhatChanged) {
  ASSERT_EQ(run(kFile).status, 0);
  const acd::Agent alice_before = agent("Acme", "alice");
  const auto alice_session = openSession("Acme", "alice", 1);
  const auto bob_session = openSession("Acme", "bob", 2);

  // Only an agent's name: the org itself is not counted as updated.
  ImportRun r = run(replaced(kFile, "name = \"Bob\"", "name = \"Bob Park\""));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "imported: 0 orgs created, 0 updated; 0 agents created, 1 updated; "
            "0 trunks created, 0 updated; 3 unchanged\n");
  EXPECT_EQ(agent("Acme", "bob").name, "Bob Park");
  EXPECT_TRUE(sessionExists(bob_session));  // a new name does not log anyone out

  // A new password, an org setting, and one more agent.
  std::string changed =
      replaced(kFile, "password = \"Lantern-Quietly-47\"", "password = \"Harbor-Tulip-Engine-3\"");
  changed = replaced(changed, "name = \"Bob\"", "name = \"Bob Park\"");
  changed = replaced(changed, "ring_timeout_s = 20", "ring_timeout_s = 30");
  changed += "  [[orgs.agents]]\n  id = \"carol\"\n  name = \"Carol\"\n";
  r = run(changed);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "imported: 0 orgs created, 1 updated; 1 agent created, 1 updated; "
            "0 trunks created, 0 updated; 2 unchanged\n");
  EXPECT_EQ(org("Acme").ring_timeout_s, 30);
  const std::string alice_hash = passwordHash("Acme", "alice");
  EXPECT_TRUE(hasher_.verify(alice_hash, "Harbor-Tulip-Engine-3"));
  EXPECT_FALSE(hasher_.verify(alice_hash, kAlicePassword));
  EXPECT_FALSE(sessionExists(alice_session));  // a replaced password ends the sessions
  EXPECT_TRUE(sessionExists(bob_session));
  EXPECT_EQ(agent("Acme", "alice").sip_secret, alice_before.sip_secret);  // not regenerated
  const acd::Agent carol = agent("Acme", "carol");
  EXPECT_EQ(carol.sip_secret.size(), 20u);
  EXPECT_EQ(passwordHash("Acme", "carol"), "");  // cannot log in until an admin sets one
}

TEST_F(ProvisioningImportTest, DisablingAnAgentEndsItsSessions) {
  ASSERT_EQ(run(kFile).status, 0);
  const auto bob_session = openSession("Acme", "bob", 2);
  const ImportRun r = run(replaced(kFile, "name = \"Bob\"", "name = \"Bob\"\n  enabled = false"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 agents created, 1 updated"));
  EXPECT_FALSE(agent("Acme", "bob").enabled);
  EXPECT_FALSE(sessionExists(bob_session));
  // Leaving `enabled` out later keeps the agent disabled.
  ASSERT_EQ(run(kFile).status, 0);
  EXPECT_FALSE(agent("Acme", "bob").enabled);
}

TEST_F(ProvisioningImportTest, AnInvalidFileWritesNothing) {
  std::string bad = replaced(kFile, "ring_timeout_s = 20", "ring_timeout_s = 2");
  bad = replaced(bad, "menus = [\"2\"]", "menus = [\"7\"]");
  ImportRun r = run(bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err,
            "acme.toml:13: ring_timeout_s must be between 5 and 300, not 2\n"
            "acme.toml:31: menu \"7\" is not a menu of this org (its menus: 1, 2)\n");
  EXPECT_TRUE(*store_->isEmpty());

  ASSERT_EQ(run(kFile).status, 0);
  const std::string before = snapshot();
  r = run(replaced(kFile, "ring_timeout_s = 20", "ring_timeout_s = 25\nbogus = 1"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "acme.toml:14: unknown key \"bogus\" in [[orgs]]\n");
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ProvisioningImportTest, NumbersAndDomainsOfOtherOrgsAreProblems) {
  const std::string other = R"([[orgs]]
name = "Other"
domain = "acme.example"
country_code = "82"
numbers = ["0215880000"]
)";
  ASSERT_EQ(run(other).status, 0);
  const std::string before = snapshot();
  const ImportRun r = run(kFile);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "acme.toml:9: domain \"acme.example\" belongs to org \"Other\", which this file "
            "does not name\n"
            "acme.toml:11: number \"0215880000\" belongs to org \"Other\", which this file "
            "does not name\n");
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ProvisioningImportTest, NumbersAndDomainsMayMoveBetweenOrgsOfTheFile) {
  const std::string globex = R"([[orgs]]
name = "Globex"
country_code = "1"
numbers = ["0215889999"]
)";
  ASSERT_EQ(run(kFile + globex).status, 0);
  // Globex comes first and takes the number Acme gives up in the same import.
  const std::string swapped =
      replaced(globex, "0215889999", "0215880000") + replaced(kFile, "0215880000", "0215889999");
  ImportRun r = run(swapped);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(org("Acme").numbers, std::vector<std::string>{"0215889999"});
  EXPECT_EQ(org("Globex").numbers, std::vector<std::string>{"0215880000"});

  // Acme gives up its domain and Globex takes it. (Listed the other way round, the
  // store refuses the import as a whole: it checks domains org by org.)
  r = run(
      replaced(kFile, "domain = \"acme.example\"", "domain = \"acme-new.example\"") +
      replaced(globex, "country_code = \"1\"", "country_code = \"1\"\ndomain = \"acme.example\""));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(org("Acme").domain, "acme-new.example");
  EXPECT_EQ(org("Globex").domain, "acme.example");
}

TEST_F(ProvisioningImportTest, PlaintextPasswordsAreStoredOnlyAsHashes) {
  ASSERT_EQ(run(kFile).status, 0);
  const std::string hash = passwordHash("Acme", "alice");
  EXPECT_THAT(hash, StartsWith("$argon2id$"));
  EXPECT_TRUE(hasher_.verify(hash, kAlicePassword));
  store_.reset();  // close, so everything is in the files
  const std::string bytes = allBytes(data_.path());
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(kAlicePassword), std::string::npos);
  EXPECT_NE(bytes.find("bob-phone-secret"), std::string::npos) << "the search itself works";
}

TEST_F(ProvisioningImportTest, AnUnreadableFileIsARuntimeFailure) {
  std::ostringstream out, err;
  EXPECT_EQ(importProvisioningFile(files_.path() / "missing.toml", *store_, *store_, hasher_,
                                   clock_, out, err),
            1);
  const std::string message = err.str();
  EXPECT_THAT(message, HasSubstr("missing.toml: cannot read the file: No such file"));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1);
  std::ostringstream out2, err2;
  EXPECT_EQ(importProvisioningFile(files_.path(), *store_, *store_, hasher_, clock_, out2, err2),
            1);
  EXPECT_THAT(err2.str(), HasSubstr("cannot read the file: is a directory"));
  EXPECT_TRUE(*store_->isEmpty());
}

TEST_F(ProvisioningImportTest, AnOversizedFileIsBadInput) {
  const auto path = files_.write("big.toml", std::string(200, '#'));
  ProvisioningOptions options;
  options.max_bytes = 100;
  std::ostringstream out, err;
  EXPECT_EQ(importProvisioningFile(path, *store_, *store_, hasher_, clock_, out, err, options), 2);
  EXPECT_THAT(err.str(), HasSubstr("big.toml: the file is larger than 100 bytes"));
}

// Fails the one write; everything else goes to the real store.
class FailingApply final : public acd::DirectoryStore {
 public:
  explicit FailingApply(acd::DirectoryStore& real) : real_(real) {}
  core::Result<acd::Org> findOrg(std::string_view name) override { return real_.findOrg(name); }
  core::Result<acd::Org> findOrgById(acd::OrgId id) override { return real_.findOrgById(id); }
  core::Result<std::vector<acd::Org>> listOrgs() override { return real_.listOrgs(); }
  core::Result<std::optional<acd::OrgId>> findOrgByNumber(std::string_view number) override {
    return real_.findOrgByNumber(number);
  }
  core::Result<acd::Agent> findAgent(acd::OrgId org, std::string_view id) override {
    return real_.findAgent(org, id);
  }
  core::Result<acd::Agent> findAgentByKey(acd::OrgId org, acd::AgentKey key) override {
    return real_.findAgentByKey(org, key);
  }
  core::Result<std::vector<acd::Agent>> listAgents(acd::OrgId org) override {
    return real_.listAgents(org);
  }
  core::Result<acd::Agent> createAgent(acd::OrgId org, const acd::AgentImport& agent,
                                       core::Time now) override {
    return real_.createAgent(org, agent, now);
  }
  core::Result<acd::Agent> updateAgent(acd::OrgId org, std::string_view id,
                                       const acd::AgentPatch& patch, core::Time now) override {
    return real_.updateAgent(org, id, patch, now);
  }
  core::Result<std::vector<acd::Trunk>> listTrunks() override { return real_.listTrunks(); }
  core::Result<acd::ImportSummary> applyImport(const acd::DirectoryImport&, core::Time) override {
    return core::makeError(core::ErrorCode::kStorage, "database is locked");
  }
  core::Result<bool> isEmpty() override { return real_.isEmpty(); }

 private:
  acd::DirectoryStore& real_;
};

TEST_F(ProvisioningImportTest, ADatabaseFailureIsARuntimeFailure) {
  FailingApply failing(*store_);
  const ImportRun r = run(kFile, &failing);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err, "acme.toml: import failed, nothing was changed: database is locked\n");
}

}  // namespace
}  // namespace sb::app
