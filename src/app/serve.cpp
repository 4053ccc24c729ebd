#include "app/serve.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "account/account_service.hpp"
#include "api/api_v1.hpp"
#include "api/event_hub.hpp"
#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "app/cli.hpp"
#include "app/demo.hpp"
#include "app/sip_service.hpp"
#include "app/sip_websocket.hpp"
#include "core/log.hpp"
#include "store/sqlite_store.hpp"

namespace sb::app {
namespace {

// Expired sessions are deleted now and then so the table does not grow without bound.
void scheduleSessionSweep(boost::asio::steady_timer& timer, boost::asio::thread_pool& workers,
                          store::SqliteStore& store, const core::Clock& clock) {
  timer.expires_after(std::chrono::minutes{10});
  timer.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    boost::asio::post(workers, [&] {
      auto n = store.deleteExpiredSessions(clock.now());
      if (n && *n > 0) core::logInfo("expired sessions deleted", {{"count", static_cast<int64_t>(*n)}});
    });
    scheduleSessionSweep(timer, workers, store, clock);
  });
}

void waitForDrain(boost::asio::io_context& io, api::HttpServer& http,
                  std::chrono::steady_clock::time_point deadline) {
  if (http.openConnections() == 0 || std::chrono::steady_clock::now() >= deadline) {
    io.stop();
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io, std::chrono::milliseconds{20});
  timer->async_wait([&io, &http, deadline, timer](boost::system::error_code) {
    waitForDrain(io, http, deadline);
  });
}

}  // namespace

int serve(const ServeConfig& config) {
  core::setLogFormat(config.log_format);
  core::setLogLevel(config.log_level);

  auto opened = store::SqliteStore::open(config.data_dir);
  if (!opened) {
    std::cerr << "switchboard: cannot open the data directory " << config.data_dir << ": "
              << opened.error().message << "\n";
    return kExitFailure;
  }
  store::SqliteStore& store = **opened;
  core::SystemClock clock;
  account::PasswordHasher hasher;

  if (config.demo) {
    auto demo = provisionDemo(store, hasher, clock, std::cout);
    if (!demo) {
      std::cerr << "switchboard: demo provisioning failed: " << demo.error().message << "\n";
      return kExitFailure;
    }
  }

  account::AccountOptions account_options;
  account_options.session_ttl = std::chrono::hours{config.session_ttl_hours};
  account::AccountService accounts(store, store, hasher, clock, account_options);
  api::EventHub hub;
  accounts.setListener(&hub);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned io_threads = config.threads > 0 ? static_cast<unsigned>(config.threads) : cores;
  boost::asio::io_context io(static_cast<int>(io_threads));
  // Blocking work (SQLite, Argon2id) runs here; hashing is further bounded by AccountService.
  boost::asio::thread_pool workers(std::max(4u, 2 * cores));

  api::Metrics metrics;
  std::vector<api::CallbackGauge> gauges;
  gauges.push_back(metrics.callbackGauge("sb_sessions_cached", "Sessions held in the authentication cache",
                                         [&] { return static_cast<double>(accounts.cachedSessions()); }));
  gauges.push_back(metrics.callbackGauge("sb_login_hashes_in_flight", "Argon2id hashes running or waiting",
                                         [&] { return static_cast<double>(accounts.hashesInFlight()); }));
  gauges.push_back(metrics.callbackGauge("sb_event_connections", "Authenticated event WebSockets",
                                         [&] { return static_cast<double>(hub.size()); }));
  gauges.push_back(metrics.callbackGauge("sb_store_transactions", "Write transactions committed since start",
                                         [&] { return static_cast<double>(store.database().stats().transactions); }));
  gauges.push_back(metrics.callbackGauge("sb_store_jobs", "Write jobs committed since start",
                                         [&] { return static_cast<double>(store.database().stats().jobs); }));

  api::Router router;
  api::ApiOptions api_options;
  api_options.metrics_public = config.metrics_public;
  api::ApiV1 api(accounts, store, hub, metrics, workers, api_options);
  api.registerRoutes(router);

  SipService sip(workers, store, clock, metrics);
  addSipWebSocketRoute(router, sip.transport());

  auto sip_port = sip.start(config.sip.front().host, config.sip.front().port);
  if (!sip_port) {
    std::cerr << "switchboard: cannot listen for SIP on " << config.sip.front().str() << ": "
              << sip_port.error().message << "\n";
    return kExitFailure;
  }
  HostPort sip_bound{config.sip.front().host, *sip_port};
  std::cout << "switchboard: sip listening on " << sip_bound.str() << " (udp, tcp)" << std::endl;
  for (size_t i = 1; i < config.sip.size(); ++i) {
    const HostPort& more = config.sip[i];
    auto port = sip.listen(more.host, more.port == 0 ? *sip_port : more.port);
    if (!port) {
      std::cerr << "switchboard: cannot listen for SIP on " << more.str() << ": " << port.error().message << "\n";
      return kExitFailure;
    }
    std::cout << "switchboard: sip listening on " << HostPort{more.host, *port}.str() << " (udp, tcp)" << std::endl;
  }

  // The HTTP line comes last: tests and scripts take it to mean every listener is up.
  api::HttpServer http(io, router, metrics, api::HttpServerOptions{});
  auto endpoint = http.listen(config.http.host, config.http.port);
  if (!endpoint) {
    std::cerr << "switchboard: cannot listen for HTTP on " << config.http.str() << ": "
              << endpoint.error().message << "\n";
    return kExitFailure;
  }
  HostPort bound{endpoint->address().to_string(), endpoint->port()};
  std::cout << "switchboard: http listening on " << bound.str() << std::endl;

  core::logInfo("ready", {{"http", bound.str()},
                          {"sip", sip_bound.str()},
                          {"io_threads", static_cast<int64_t>(io_threads)}});

  boost::asio::steady_timer sweep(io);
  scheduleSessionSweep(sweep, workers, store, clock);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    core::logInfo("stopping", {{"signal", signo}});
    sweep.cancel();
    sip.stop();
    http.stop();
    // In-flight requests finish; whatever is still open after a grace period is cut.
    waitForDrain(io, http, std::chrono::steady_clock::now() + std::chrono::seconds{5});
  });

  sip.run();
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < io_threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  workers.join();
  accounts.setListener(nullptr);
  core::logInfo("stopped");
  return kExitOk;
}

}  // namespace sb::app
