#include "app/sip_service.hpp"

#include <openssl/rand.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include "core/check.hpp"
#include "core/log.hpp"

namespace sb::app {
namespace {

std::string randomKey() {
  std::string key(32, '\0');
  SB_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) == 1,
           "no random bytes for the digest key");
  return key;
}

}  // namespace

// The address we write in Via and Contact. A wildcard listener has none of its own: take
// the one the kernel would send from by the default route (connecting a UDP socket sends
// nothing), or loopback on a machine without one.
std::string SipService::advertisedHost(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec || !address.is_unspecified()) return host;
  boost::asio::io_context io;
  boost::asio::ip::udp::socket probe(io);
  const bool v6 = address.is_v6();
  probe.open(v6 ? boost::asio::ip::udp::v6() : boost::asio::ip::udp::v4(), ec);
  if (!ec) {
    probe.connect({boost::asio::ip::make_address(v6 ? "2001:db8::1" : "192.0.2.1"), 5060}, ec);
  }
  if (!ec) {
    auto local = probe.local_endpoint(ec);
    if (!ec && !local.address().is_unspecified()) return local.address().to_string();
  }
  return v6 ? "::1" : "127.0.0.1";
}

SipService::SipService(boost::asio::thread_pool& workers, acd::DirectoryStore& store, const core::Clock& clock,
                       api::Metrics& metrics, media::MediaEngine& media, media::PromptLibrary& prompts,
                       SipServiceOptions options)
    : workers_(workers),
      store_(store),
      clock_(clock),
      options_(options),
      transport_(io_.get_executor(), *this),
      media_(media),
      prompts_(prompts),
      timer_(transport_.executor()),
      refresh_(transport_.executor()),
      gauge_timer_(transport_.executor()) {
  auto gauge = [&](const char* name, const char* help, std::atomic<double>& value) {
    gauges_.push_back(metrics.callbackGauge(name, help, [&value] { return value.load(std::memory_order_relaxed); }));
  };
  gauge("sb_sip_transactions", "SIP transactions alive", g_transactions_);
  gauge("sb_sip_dialogs", "SIP dialogs (early and confirmed) alive", g_dialogs_);
  gauge("sb_sip_calls", "SIP call legs (INVITE sessions) alive", g_calls_);
  gauge("sb_sip_registrations", "Registered SIP contacts", g_bindings_);
  gauge("sb_sip_blocked_sources", "Source addresses blocked for bad requests", g_blocked_);
  gauge("sb_sip_dropped_blocked", "Messages dropped from blocked sources since start", g_dropped_);
  gauge("sb_sip_bad_messages", "Unparseable SIP messages since start", g_bad_);
  auto transport_gauge = [&](const char* name, const char* help, uint64_t sip::SipTransportCounts::*field) {
    gauges_.push_back(metrics.callbackGauge(
        name, help, [this, field] { return static_cast<double>(transport_.counts().*field); }));
  };
  transport_gauge("sb_sip_tcp_connections", "SIP TCP connections open", &sip::SipTransportCounts::tcp_connections);
  transport_gauge("sb_sip_ws_connections", "SIP WebSocket connections open", &sip::SipTransportCounts::ws_connections);
  transport_gauge("sb_sip_transport_bad_input", "SIP streams that could not be framed and oversized messages",
                  &sip::SipTransportCounts::bad_input);
  transport_gauge("sb_sip_transport_dropped", "SIP sends dropped (UDP buffer full, write queue over its bound)",
                  &sip::SipTransportCounts::dropped);
  transport_gauge("sb_sip_refused_connections", "SIP connections refused over the connection limits",
                  &sip::SipTransportCounts::refused_connections);
}

SipService::~SipService() { join(); }

void SipService::join() {
  stop();
  if (thread_.joinable()) {
    // stop() closed every socket and timer; whatever a peer still had queued is dropped.
    io_.stop();
    thread_.join();
  }
}

void SipService::run() {
  thread_ = std::thread([this] { io_.run(); });
}

core::Result<uint16_t> SipService::start(const std::string& host, uint16_t port, ContactCenter& center) {
  auto snapshot = SipDirectorySnapshot::load(store_);
  if (!snapshot) return snapshot.error();
  directory_.replace(*snapshot);
  center_ = &center;
  if (auto started = center.start((*snapshot)->centerOrgs(), clock_.now()); !started) return started.error();
  auto bound = transport_.listen(host, port);
  if (!bound) return bound.error();

  sip::SipEndpointOptions options;
  options.advertised = sip::NetAddress{advertisedHost(host), *bound};
  if (options.advertised.ip != host) {
    core::logInfo("sip advertises", {{"address", options.advertised.toString()}, {"listening", host}});
  }
  options.exempt_sources = directory_.current().trunkAddresses();
  route_ = std::make_unique<CallLegs>(directory_, clock_, media_, prompts_, ids_,
                                      RouteMediaOptions{options.advertised.ip, options_.recordings_dir}, center,
                                      transport_.executor());
  options.registrations = route_.get();
  endpoint_ = std::make_unique<sip::SipEndpoint>(transport_, directory_, ids_, *route_, options, randomKey());
  route_->attach(*endpoint_);
  center.setTelephony(route_.get());
  center.setAfterCommands([this] { armTimer(); });
  boost::asio::post(transport_.executor(), [this] {
    scheduleRefresh();
    scheduleGauges();
  });
  return *bound;
}

void SipService::stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(transport_.executor(), [this] {
    timer_.cancel();
    refresh_.cancel();
    gauge_timer_.cancel();
  });
  transport_.stop();
}

void SipService::onSipMessage(std::string_view bytes, const sip::Flow& from) {
  endpoint_->receive(bytes, from, clock_.now());
  armTimer();
}

void SipService::onConnectionClosed(sip::ConnectionId id) {
  endpoint_->connectionClosed(id, clock_.now());
  armTimer();
}

void SipService::onBadInput(const sip::Flow& from, sip::ParseErrorKind kind, std::string_view) {
  endpoint_->badInput(from, sip::toString(kind), clock_.now());
}

void SipService::onDigit(media::MediaLegId leg, char digit) {
  boost::asio::post(transport_.executor(), [this, leg, digit] {
    if (!route_) return;
    route_->onDigit(leg, digit);
    armTimer();
  });
}

void SipService::onPlayFinished(media::MediaLegId leg, std::uint64_t play_id) {
  boost::asio::post(transport_.executor(), [this, leg, play_id] {
    if (!route_) return;
    route_->onPlayFinished(leg, play_id);
    armTimer();
  });
}

void SipService::onMediaTimeout(media::MediaLegId leg) {
  boost::asio::post(transport_.executor(), [this, leg] {
    if (!route_) return;
    route_->onMediaTimeout(leg);
    armTimer();
  });
}

void SipService::onRecordingFailed(media::MediaCallId call, const std::string& error) {
  boost::asio::post(transport_.executor(), [this, call, error] {
    if (route_) route_->onRecordingFailed(call, error);
  });
}

// One steady timer for the endpoint's next deadline. It is only moved earlier; a timer
// that fires before the (later) deadline just finds nothing due and re-arms.
void SipService::armTimer() {
  if (stopped_) return;
  const auto next = endpoint_->nextDeadline();
  if (!next || (armed_ && *armed_ <= *next)) return;
  armed_ = next;
  const auto delay = std::max(core::Duration::zero(), *next - clock_.now());
  timer_.expires_after(delay);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    armed_.reset();
    endpoint_->onTimer(clock_.now());
    armTimer();
  });
}

void SipService::scheduleRefresh() {
  refresh_.expires_after(options_.directory_refresh);
  refresh_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    boost::asio::post(workers_, [this] {
      auto snapshot = SipDirectorySnapshot::load(store_);
      if (!snapshot) {
        core::logWarn("sip directory refresh failed", {{"error", snapshot.error().message}});
      }
      boost::asio::post(transport_.executor(), [this, snapshot = std::move(snapshot)]() mutable {
        if (snapshot) {
          directory_.replace(*snapshot);
          if (center_ != nullptr) center_->refresh((*snapshot)->centerOrgs());
          armTimer();
        }
        if (!stopped_) scheduleRefresh();
      });
    });
  });
}

void SipService::publishGauges() {
  const sip::EndpointCounts c = endpoint_->counts();
  g_transactions_ = static_cast<double>(c.transactions.total());
  g_dialogs_ = static_cast<double>(c.dialogs);
  g_calls_ = static_cast<double>(c.legs);
  g_bindings_ = static_cast<double>(c.bindings);
  g_blocked_ = static_cast<double>(c.blocked_sources);
  g_dropped_ = static_cast<double>(c.dropped_blocked);
  g_bad_ = static_cast<double>(c.bad_messages);
}

void SipService::scheduleGauges() {
  publishGauges();
  gauge_timer_.expires_after(std::chrono::milliseconds(250));
  gauge_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    scheduleGauges();
  });
}

}  // namespace sb::app
