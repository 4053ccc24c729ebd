#include "support/http_client.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <cctype>

namespace sb::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <typename Fields>
void copyHeaders(const Fields& fields, Response& out) {
  for (const auto& field : fields) {
    std::string name = lower(std::string_view(field.name_string()));
    std::string value(std::string_view(field.value()));
    auto [it, inserted] = out.headers.try_emplace(std::move(name), value);
    if (!inserted) it->second += ", " + value;
  }
}

// Runs `ioc` until `done` or `deadline`; pending operations stay pending on timeout.
bool runUntil(net::io_context& ioc, const bool& done, Clock::time_point deadline) {
  while (!done && Clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_until(deadline);
  }
  return done;
}

tcp::resolver::results_type resolve(net::io_context& ioc, const std::string& host, uint16_t port,
                                    error_code& ec) {
  tcp::resolver resolver(ioc);
  return resolver.resolve(host, std::to_string(port), ec);
}

// Host header value; an IPv6 literal needs brackets.
std::string authority(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

boost::json::value Response::json() const {
  error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  return ec ? boost::json::value{} : v;
}

std::string Response::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

struct HttpClient::Impl {
  Impl(std::string h, uint16_t p, std::chrono::milliseconds t)
      : host(std::move(h)), port(p), timeout(t) {}

  error_code connect() {
    error_code ec;
    auto endpoints = resolve(ioc, host, port, ec);
    if (ec) return ec;
    stream.emplace(ioc);
    buffer.clear();
    bool done = false;
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&](error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!runUntil(ioc, done, Clock::now() + timeout * 2)) ec = net::error::timed_out;
    if (!ec) {
      connected = true;
      ++connects;
    }
    return ec;
  }

  void disconnect() {
    error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->close();
    connected = false;
  }

  Response exchange(const http::request<http::string_body>& req, bool& retryable) {
    Response out;
    error_code ec;
    bool done = false;
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    runUntil(ioc, done, Clock::now() + timeout * 2);
    // A write error does not end the exchange: a server refusing a large body answers
    // and closes while we are still sending, and the answer is what the test wants.
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    parser.skip(req.method() == http::verb::head);
    done = false;
    stream->expires_after(timeout);
    http::async_read(*stream, buffer, parser, [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!runUntil(ioc, done, Clock::now() + timeout * 2)) ec = net::error::timed_out;
    if (ec) {
      retryable = !parser.got_some() &&
                  (ec == http::error::end_of_stream || ec == net::error::connection_reset);
      out.error = ec.message();
      disconnect();
      return out;
    }
    const auto& res = parser.get();
    out.status = res.result_int();
    out.body = res.body();
    copyHeaders(res, out);
    if (!res.keep_alive()) disconnect();
    return out;
  }

  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;  // a fresh one per connection
  beast::flat_buffer buffer;
  bool connected = false;
  int connects = 0;
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout)) {}

HttpClient::~HttpClient() {
  if (impl_->connected) impl_->disconnect();
}

Response HttpClient::request(http::verb method, std::string target, std::string body,
                             Headers headers) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, authority(impl_->host, impl_->port));
  bool framed = false;
  for (auto& [name, value] : headers) {
    const std::string n = lower(name);
    framed = framed || n == "content-length" || n == "transfer-encoding";
    req.insert(name, value);
  }
  req.body() = std::move(body);
  if (!framed && (!req.body().empty() || method == http::verb::post || method == http::verb::put ||
                  method == http::verb::patch)) {
    req.prepare_payload();
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected;
    if (!impl_->connected) {
      if (error_code ec = impl_->connect()) {
        Response out;
        out.error = "connect: " + ec.message();
        return out;
      }
    }
    bool retryable = false;
    Response out = impl_->exchange(req, retryable);
    // A kept connection the server closed while idle: retry once on a fresh one.
    if (out.status != 0 || !reused || !retryable) return out;
  }
  Response out;
  out.error = "no response after reconnecting";
  return out;
}

bool HttpClient::waitForServerClose(std::chrono::milliseconds timeout) {
  if (!impl_->connected) return false;
  error_code ec;
  size_t n = 0;
  bool done = false;
  impl_->stream->expires_after(timeout);
  impl_->stream->async_read_some(impl_->buffer.prepare(4096), [&](error_code e, size_t bytes) {
    ec = e;
    n = bytes;
    done = true;
  });
  runUntil(impl_->ioc, done, Clock::now() + timeout * 2);
  impl_->buffer.commit(n);
  const bool closed = ec == net::error::eof || ec == net::error::connection_reset;
  impl_->disconnect();
  return closed;
}

int HttpClient::connects() const {
  return impl_->connects;
}

struct WsClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t), ws(ioc) {}

  std::chrono::milliseconds timeout;
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws;
  Response handshake;
  beast::flat_buffer read_buffer;
  bool read_pending = false;
  bool read_done = false;
  error_code read_error;
  bool is_closed = false;
  std::optional<WsCloseReason> close_reason;

  void noteClosed() {
    is_closed = true;
    const websocket::close_reason& r = ws.reason();
    if (r.code != websocket::close_code::none) {
      close_reason = WsCloseReason{static_cast<uint16_t>(r.code), std::string(r.reason.c_str())};
    }
  }

  void startRead() {
    if (read_pending || read_done || is_closed) return;
    read_pending = true;
    ws.async_read(read_buffer, [this](error_code e, size_t) {
      read_pending = false;
      read_done = true;
      read_error = e;
    });
  }
};

WsClient::WsClient(std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>(timeout)) {}

WsClient::~WsClient() {
  error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
  // Operations the close aborted complete now; a WebSocket timer still armed is
  // simply destroyed with the io_context.
  impl_->ioc.restart();
  impl_->ioc.poll();
}

bool WsClient::connect(const std::string& host, uint16_t port, const std::string& target,
                       Headers headers) {
  Impl& s = *impl_;
  error_code ec;
  auto endpoints = resolve(s.ioc, host, port, ec);
  if (ec) return false;
  bool done = false;
  auto& lowest = beast::get_lowest_layer(s.ws);
  lowest.expires_after(s.timeout);
  lowest.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!runUntil(s.ioc, done, Clock::now() + s.timeout * 2) || ec) return false;
  // The WebSocket stream keeps its own timers; the TCP layer's would cut idle sessions.
  lowest.expires_never();
  websocket::stream_base::timeout opts{};
  opts.handshake_timeout = s.timeout;
  opts.idle_timeout = websocket::stream_base::none();
  opts.keep_alive_pings = false;
  s.ws.set_option(opts);
  s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type res;
  done = false;
  s.ws.async_handshake(res, authority(host, port), target, [&](error_code e) {
    ec = e;
    done = true;
  });
  if (!runUntil(s.ioc, done, Clock::now() + s.timeout * 2)) ec = net::error::timed_out;
  s.handshake = Response{};
  s.handshake.status = res.result_int();
  s.handshake.body = res.body();
  copyHeaders(res, s.handshake);
  if (ec) s.handshake.error = ec.message();
  return !ec;
}

const Response& WsClient::handshakeResponse() const {
  return impl_->handshake;
}

bool WsClient::send(std::string text) {
  Impl& s = *impl_;
  if (s.is_closed) return false;
  error_code ec;
  bool done = false;
  s.ws.text(true);
  s.ws.async_write(net::buffer(text), [&](error_code e, size_t) {
    ec = e;
    done = true;
  });
  return runUntil(s.ioc, done, Clock::now() + s.timeout) && !ec;
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  s.startRead();
  if (!runUntil(s.ioc, s.read_done, Clock::now() + timeout)) return std::nullopt;
  s.read_done = false;
  if (s.read_error) {
    s.noteClosed();
    return std::nullopt;
  }
  std::string message = beast::buffers_to_string(s.read_buffer.data());
  s.read_buffer.consume(s.read_buffer.size());
  return message;
}

bool WsClient::close(uint16_t code) {
  Impl& s = *impl_;
  if (s.is_closed) return false;
  error_code ec;
  bool done = false;
  s.ws.async_close(websocket::close_reason(code), [&](error_code e) {
    ec = e;
    done = true;
  });
  const bool finished = runUntil(s.ioc, done, Clock::now() + s.timeout);
  s.noteClosed();
  return finished && !ec;
}

bool WsClient::closed() const {
  return impl_->is_closed;
}

std::optional<WsCloseReason> WsClient::closeReason() const {
  return impl_->close_reason;
}

std::string rawExchange(const std::string& host, uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds timeout, bool* closed_by_server) {
  net::io_context ioc;
  error_code ec;
  auto endpoints = resolve(ioc, host, port, ec);
  if (closed_by_server) *closed_by_server = false;
  if (ec) return {};
  const auto deadline = Clock::now() + timeout;
  beast::tcp_stream stream(ioc);
  stream.expires_at(deadline);
  bool done = false;
  stream.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!runUntil(ioc, done, deadline + timeout) || ec) return {};
  done = false;
  net::async_write(stream, net::buffer(bytes), [&](error_code, size_t) { done = true; });
  runUntil(ioc, done, deadline + timeout);
  std::string received;
  std::array<char, 4096> chunk;
  for (;;) {
    done = false;
    size_t n = 0;
    stream.async_read_some(net::buffer(chunk), [&](error_code e, size_t bytes_read) {
      ec = e;
      n = bytes_read;
      done = true;
    });
    runUntil(ioc, done, deadline + timeout);
    received.append(chunk.data(), n);
    if (ec) break;
  }
  if (closed_by_server) {
    *closed_by_server = ec == net::error::eof || ec == net::error::connection_reset;
  }
  return received;
}

}  // namespace sb::testing
