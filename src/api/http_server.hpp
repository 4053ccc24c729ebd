#pragma once
// The HTTP/1.x and WebSocket edge: accepts connections, reads requests within limits and
// deadlines, hands them to the Router's handlers and writes the answers. One coroutine
// per connection runs on its own strand, so any number of threads may run the
// io_context. Handlers see only parsed requests; everything an untrusted client can get
// wrong (garbage, huge headers or bodies, slowness) is answered or dropped here and
// counted in Metrics.
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::api {

class Router;
class Metrics;

struct HttpServerOptions {
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 * 1024;
  // From the connection's first byte (or accept) to the end of the request header.
  std::chrono::milliseconds header_timeout{10000};
  // Between requests on a keep-alive connection.
  std::chrono::milliseconds idle_timeout{60000};
  // Reading a request body, and writing a response. Handlers themselves are not timed.
  std::chrono::milliseconds request_timeout{30000};
  // Connections past this are accepted and closed at once (counted, reason over_capacity).
  size_t max_connections = 10000;
};

class HttpServer {
 public:
  // `router` and `metrics` must outlive every handler the io_context may still run, i.e.
  // until run() has returned after stop().
  HttpServer(boost::asio::io_context& ioc, const Router& router, Metrics& metrics,
             HttpServerOptions options = {});
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (an IPv4 or IPv6 literal, or a name resolved once now; port 0 picks
  // a free port) and starts accepting. Callable several times for several addresses.
  core::Result<boost::asio::ip::tcp::endpoint> listen(std::string host, uint16_t port);

  // Stops accepting, closes idle keep-alive connections, cancels WebSocket handlers
  // (terminal cancellation of their pending operation) and lets requests in flight
  // finish, closing their connection after the response. Once they are done the
  // server holds no work, so io_context::run() returns. Thread-safe, idempotent.
  void stop();

  size_t openConnections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sb::api
