#include "app/serve.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <thread>
#include <vector>

#include "account/account_service.hpp"
#include "api/api_v1.hpp"
#include "api/event_hub.hpp"
#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "api/web_files.hpp"
#include "app/cli.hpp"
#include "app/contact_center.hpp"
#include "app/demo.hpp"
#include "app/sip_service.hpp"
#include "app/sip_websocket.hpp"
#include "core/log.hpp"
#include "media/media_engine.hpp"
#include "media/prompt_library.hpp"
#include "store/sqlite_store.hpp"

namespace sb::app {
namespace {

struct Housekeeping {
  std::atomic<bool> rebuilding{false};  // a roll-up rebuild is running
  std::atomic<bool> stopping{false};
};

void rebuildRollups(boost::asio::thread_pool& workers, store::SqliteStore& store, const core::Clock& clock,
                    std::atomic<bool>& busy, const std::atomic<bool>& stopping);

// Expired sessions are deleted now and then so the table does not grow without bound,
// and agents left without a live session go Offline (C4). Roll-ups a provisioning run
// marked for a recount (a new service level) are rebuilt.

void scheduleSessionSweep(boost::asio::steady_timer& timer, boost::asio::thread_pool& workers,
                          store::SqliteStore& store, ContactCenter& states,
                          const core::Clock& clock, std::chrono::seconds every, Housekeeping& house) {
  timer.expires_after(every);
  timer.async_wait([&, every](boost::system::error_code ec) {
    if (ec) return;
    rebuildRollups(workers, store, clock, house.rebuilding, house.stopping);
    boost::asio::post(workers, [&] {
      auto n = store.deleteExpiredSessions(clock.now());
      if (n && *n > 0) core::logInfo("expired sessions deleted", {{"count", static_cast<int64_t>(*n)}});
      auto offline = states.sweep(clock.now());
      if (!offline)
        core::logError("agent state sweep failed", {{"error", offline.error().message}});
      else if (*offline > 0)
        core::logInfo("agents without a session set offline",
                      {{"count", static_cast<int64_t>(*offline)}});
    });
    scheduleSessionSweep(timer, workers, store, states, clock, every, house);
  });
}

// Roll-ups that need a recount (after the upgrade that added them, or a new service
// level) are rebuilt in the background, six hours of buckets per write, so calls and the
// API go on meanwhile; the statistics read those orgs from their records until then.
void rebuildRollups(boost::asio::thread_pool& workers, store::SqliteStore& store, const core::Clock& clock,
                    std::atomic<bool>& busy, const std::atomic<bool>& stopping) {
  if (busy.exchange(true)) return;
  boost::asio::post(workers, [&] {
    int steps = 0;
    while (!stopping) {
      auto more = store.rebuildRollupsStep(clock.now());
      if (!more) {
        core::logError("statistics roll-up rebuild failed", {{"error", more.error().message}});
        break;
      }
      if (!*more) break;
      ++steps;
    }
    if (steps > 0) core::logInfo("statistics roll-ups recounted", {{"steps", steps}});
    busy = false;
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

  // Media: RTP on the first SIP listener's address, recordings and an org's own prompts
  // in the data directory, the default prompts generated at build time.
  media::PromptLibrary prompts(SB_DEFAULT_PROMPTS_DIR, config.prompts_dir.empty()
                                                           ? (config.data_dir / "prompts").string()
                                                           : config.prompts_dir.string());
  media::MediaEngineOptions media_options;
  media_options.bind_address = config.sip.front().host;
  media_options.port_low = config.rtp_ports.low;
  media_options.port_high = config.rtp_ports.high;
  media_options.threads = static_cast<unsigned>(config.media_threads);
  media_options.media_timeout = std::chrono::seconds(config.media_timeout_s);
  media_options.realtime_priority = config.media_priority;
  if (config.record_calls) media_options.recordings_dir = (config.data_dir / "recordings").string();
  SipServiceOptions sip_options;
  sip_options.recordings_dir = media_options.recordings_dir;
  media::MediaEngine* media_ptr = nullptr;
  // The engine starts before the SIP service exists and stops before it is gone; its
  // events reach the service only in between.
  struct MediaForward final : media::MediaEventListener {
    std::atomic<SipService*> to{nullptr};
    void onDigit(media::MediaLegId l, char d) override {
      if (auto* s = to.load()) s->onDigit(l, d);
    }
    void onPlayFinished(media::MediaLegId l, std::uint64_t id) override {
      if (auto* s = to.load()) s->onPlayFinished(l, id);
    }
    void onMediaTimeout(media::MediaLegId l) override {
      if (auto* s = to.load()) s->onMediaTimeout(l);
    }
    void onRecordingFailed(media::MediaCallId c, const std::string& e) override {
      if (auto* s = to.load()) s->onRecordingFailed(c, e);
    }
  } media_events;
  media::MediaEngine media(media_options, media_events, clock);
  media_ptr = &media;
  if (auto started = media.start(); !started) {
    std::cerr << "switchboard: cannot start the media engine: " << started.error().message << "\n";
    return kExitFailure;
  }
  auto media_gauge = [&](const char* name, const char* help, std::uint64_t media::MediaCounts::*field) {
    gauges.push_back(metrics.callbackGauge(name, help, [media_ptr, field] {
      return static_cast<double>(media_ptr->counts().*field);
    }));
  };
  media_gauge("sb_media_legs", "RTP endpoints (call legs) open", &media::MediaCounts::legs);
  media_gauge("sb_media_calls", "Calls with media", &media::MediaCounts::calls);
  media_gauge("sb_media_recordings", "Recordings being written", &media::MediaCounts::recordings);
  media_gauge("sb_media_ports_in_use", "RTP port pairs in use", &media::MediaCounts::ports_in_use);
  media_gauge("sb_media_packets_in", "RTP/RTCP packets received since start", &media::MediaCounts::packets_in);
  media_gauge("sb_media_packets_out", "RTP/RTCP packets sent since start", &media::MediaCounts::packets_out);
  media_gauge("sb_media_rtcp_in", "RTCP packets received since start (part of sb_media_packets_in)",
              &media::MediaCounts::rtcp_in);
  media_gauge("sb_media_rtcp_out", "RTCP packets sent since start (part of sb_media_packets_out)",
              &media::MediaCounts::rtcp_out);
  media_gauge("sb_media_bad_packets", "Packets dropped by validation since start", &media::MediaCounts::bad_packets);
  media_gauge("sb_media_timeouts", "Calls ended for lack of RTP since start", &media::MediaCounts::timeouts);
  media_gauge("sb_media_recordings_failed", "Recordings that failed (disk) since start",
              &media::MediaCounts::recordings_failed);
  media_gauge("sb_media_relay_delay_p50_us", "Relay delay added by the server, median of the last 10 s (us)",
              &media::MediaCounts::relay_delay_p50_us);
  media_gauge("sb_media_relay_delay_p99_us", "Relay delay added by the server, 99th percentile of the last 10 s (us)",
              &media::MediaCounts::relay_delay_p99_us);
  media_gauge("sb_media_relay_delay_max_us", "Relay delay added by the server, maximum of the last 10 s (us)",
              &media::MediaCounts::relay_delay_max_us);
  media_gauge("sb_media_relayed_window", "Packets relayed in the last complete 10 s window",
              &media::MediaCounts::relayed_in_window);

  SipService sip(workers, store, clock, metrics, media, prompts, sip_options);
  media_events.to = &sip;

  // The contact center (issue 5): one acd::CallCenter per org on the SIP strand, agent
  // states restored from the store by sip.start() before anyone can connect.
  ContactCenter center(sip.executor(), store, store, hub,
                       [&store](acd::AgentKey agent, core::Time now) { return store.hasLiveSession(agent, now); },
                       clock);
  gauges.push_back(metrics.callbackGauge("sb_agents_logged_in", "Agents in a state other than offline",
                                         [&] { return static_cast<double>(center.counts().logged_in); }));
  gauges.push_back(metrics.callbackGauge("sb_acd_calls", "Customer calls in the contact center",
                                         [&] { return static_cast<double>(center.counts().calls); }));
  gauges.push_back(metrics.callbackGauge("sb_acd_waiting", "Customer calls waiting in a queue",
                                         [&] { return static_cast<double>(center.counts().waiting); }));
  gauges.push_back(metrics.callbackGauge("sb_acd_writes_queued", "Contact-center records waiting for the disk",
                                         [&] { return static_cast<double>(center.counts().writes_queued); }));
  gauges.push_back(metrics.callbackGauge("sb_acd_writes_failed", "Contact-center records that failed to be written",
                                         [&] { return static_cast<double>(center.counts().writes_failed); }));

  struct Unhook {
    MediaForward& events;
    media::MediaEngine& engine;
    ~Unhook() {
      engine.stop();
      events.to = nullptr;
    }
  } unhook{media_events, media};
  api::Router router;
  api::ApiOptions api_options;
  api_options.metrics_public = config.metrics_public;
  api::ApiV1 api(accounts, store, store, store, store, center, center, hub, metrics, workers, clock, api_options);
  api.registerRoutes(router);

  addSipWebSocketRoute(router, sip.transport());

  // The agent web app at `/`, behind every API route (docs/operations.md, "Web app").
  std::filesystem::path web_root =
      config.web_root.empty() ? std::filesystem::path(SB_DEFAULT_WEB_ROOT) : config.web_root;
  std::error_code cwd_error;
  if (auto absolute = std::filesystem::absolute(web_root, cwd_error); !cwd_error) web_root = absolute;
  const api::WebFiles web(web_root);
  if (web.built()) {
    core::logInfo("web app served", {{"root", web.root().string()}});
  } else {
    core::logWarn("web app not built: / answers 404 until it is (make web)",
                  {{"root", web.root().string()}});
  }
  api::addWebFilesRoute(router, web, workers);

  // Calls a crash left open are closed as interrupted (N4) before new ones arrive.
  if (auto closed = store.closeInterrupted(clock.now()); !closed) {
    std::cerr << "switchboard: cannot close interrupted calls: " << closed.error().message << "\n";
    return kExitFailure;
  } else if (*closed > 0) {
    core::logWarn("calls interrupted by the last stop closed", {{"count", static_cast<int64_t>(*closed)}});
  }
  auto sip_port = sip.start(config.sip.front().host, config.sip.front().port, center);
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

  Housekeeping house;
  rebuildRollups(workers, store, clock, house.rebuilding, house.stopping);
  boost::asio::steady_timer sweep(io);
  scheduleSessionSweep(sweep, workers, store, center, clock, std::chrono::minutes{1}, house);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    core::logInfo("stopping", {{"signal", signo}});
    house.stopping = true;
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
  // The SIP thread (and with it the contact center's strand) ends before the contact
  // center does; then its last records are written.
  sip.join();
  center.stop();
  accounts.setListener(nullptr);
  core::logInfo("stopped");
  return kExitOk;
}

}  // namespace sb::app
