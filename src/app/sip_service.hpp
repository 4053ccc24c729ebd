#pragma once
// The SIP side of `switchboard serve`: the socket transport, the SipEndpoint on the
// transport's strand, its timer, the directory snapshot it reads (refreshed from the
// store by a worker) and the call routing. Everything SIP runs on one thread of its own
// (its own io_context): no lock is ever contended on the signaling path, and a busy
// HTTP thread cannot delay a SIP datagram.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "api/metrics.hpp"
#include "app/call_legs.hpp"
#include "app/contact_center.hpp"
#include "app/sip_directory.hpp"
#include "core/clock.hpp"
#include "media/media_engine.hpp"
#include "sip/asio_transport.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"

namespace sb::app {

struct SipServiceOptions {
  std::chrono::seconds directory_refresh{5};
  std::string recordings_dir;  // empty: calls are not recorded
};

class SipService final : public sip::SipTransportListener, public media::MediaEventListener {
 public:
  SipService(boost::asio::thread_pool& workers, acd::DirectoryStore& store, const core::Clock& clock,
             api::Metrics& metrics, media::MediaEngine& media, media::PromptLibrary& prompts,
             SipServiceOptions options = {});
  ~SipService() override;  // stops the SIP thread

  // The strand where SIP and the contact center run (ContactCenter is built on it).
  boost::asio::any_io_executor executor() { return transport_.executor(); }
  // Loads the directory (blocking), starts the contact center on it (agent states
  // restored) and binds UDP+TCP. The SIP thread starts with run().
  core::Result<uint16_t> start(const std::string& host, uint16_t port, ContactCenter& center);
  // The address our SDP and Via/Contact carry (the listener's, or the default route's
  // for a wildcard listener).
  static std::string advertisedHost(const std::string& host);
  // A further UDP+TCP listener (after start, before run).
  core::Result<uint16_t> listen(const std::string& host, uint16_t port) { return transport_.listen(host, port); }
  void run();   // starts the SIP thread
  void stop();  // thread-safe: closes the sockets; the thread ends when its work is done
  void join();  // stop(), then waits for the SIP thread (whatever is still queued is dropped)
  sip::AsioSipTransport& transport() { return transport_; }

  // sip::SipTransportListener (on the strand)
  void onSipMessage(std::string_view bytes, const sip::Flow& from) override;
  void onConnectionClosed(sip::ConnectionId id) override;
  void onBadInput(const sip::Flow& from, sip::ParseErrorKind kind, std::string_view detail) override;

  // media::MediaEventListener (on a media thread: posted to the strand)
  void onDigit(media::MediaLegId leg, char digit) override;
  void onPlayFinished(media::MediaLegId leg, std::uint64_t play_id) override;
  void onMediaTimeout(media::MediaLegId leg) override;
  void onRecordingFailed(media::MediaCallId call, const std::string& error) override;

 private:
  void armTimer();
  void scheduleRefresh();
  void scheduleGauges();
  void publishGauges();

  boost::asio::io_context io_{1};
  std::thread thread_;
  boost::asio::thread_pool& workers_;
  acd::DirectoryStore& store_;
  const core::Clock& clock_;
  SipServiceOptions options_;
  sip::AsioSipTransport transport_;
  LiveSipDirectory directory_;
  sip::RandomIdSource ids_;
  media::MediaEngine& media_;
  media::PromptLibrary& prompts_;
  ContactCenter* center_ = nullptr;
  std::unique_ptr<CallLegs> route_;
  std::unique_ptr<sip::SipEndpoint> endpoint_;
  boost::asio::steady_timer timer_;
  std::optional<core::Time> armed_;
  boost::asio::steady_timer refresh_;
  boost::asio::steady_timer gauge_timer_;
  std::atomic<bool> stopped_{false};

  // Published by the strand every 250 ms for /metrics (read from any thread).
  std::atomic<double> g_transactions_{0}, g_dialogs_{0}, g_calls_{0}, g_bindings_{0}, g_blocked_{0},
      g_dropped_{0}, g_bad_{0};
  std::vector<api::CallbackGauge> gauges_;
};

}  // namespace sb::app
