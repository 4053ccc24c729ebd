// Login cost at the service level (no HTTP): one Argon2id verification with the
// production parameters, plus the session insert for a success. The four failure kinds
// must cost the same (B2: the time must not tell which field was wrong); compare their
// figures. Run: build/release/bench/login_bench
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include "account/account_service.hpp"
#include "core/log.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace sb;

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("sb-login-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    store = std::move(*store::SqliteStore::open(dir));
    acd::DirectoryImport import;
    acd::OrgImport org;
    org.org.name = "Acme";
    org.org.domain = "acme.example";
    org.org.timezone = "UTC";
    org.org.country_code = "82";
    acd::AgentImport alice;
    alice.id = "alice";
    alice.name = "Alice";
    alice.password_hash = hasher.hash("alice-Secret-pass-1");
    alice.sip_secret = "sip-secret-0123456789";
    org.agents.push_back(alice);
    import.orgs.push_back(org);
    (void)store->applyImport(import, clock.now());
    account::AccountOptions options;
    // The benchmark measures the cost of a check, not the back-off: no delays.
    options.throttle.per_account_address.free_failures = 1 << 30;
    options.throttle.per_address.free_failures = 1 << 30;
    options.throttle.per_account.free_failures = 1 << 30;
    service = std::make_unique<account::AccountService>(*store, *store, hasher, clock, options);
  }
  ~Fixture() {
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  core::SystemClock clock;
  account::PasswordHasher hasher;  // production cost: m = 19 MiB, t = 2
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<account::AccountService> service;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void login(benchmark::State& state, const char* org, const char* agent, const char* password) {
  auto& f = fixture();
  for (auto _ : state) {
    auto r = f.service->login(org, agent, password, "127.0.0.1");
    benchmark::DoNotOptimize(r);
  }
}

void BM_LoginSuccess(benchmark::State& s) { login(s, "Acme", "alice", "alice-Secret-pass-1"); }
void BM_LoginWrongPassword(benchmark::State& s) { login(s, "Acme", "alice", "wrong-password-11"); }
void BM_LoginUnknownAgent(benchmark::State& s) { login(s, "Acme", "mallory", "alice-Secret-pass-1"); }
void BM_LoginUnknownOrg(benchmark::State& s) { login(s, "Nope", "alice", "alice-Secret-pass-1"); }

// Failures first: the successes insert sessions, which would make later runs measure
// a larger database and WAL instead of the same work.
BENCHMARK(BM_LoginWrongPassword)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LoginUnknownAgent)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LoginUnknownOrg)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LoginSuccess)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  sb::core::setLogLevel(sb::core::LogLevel::kError);  // a failed login logs a security line each
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
