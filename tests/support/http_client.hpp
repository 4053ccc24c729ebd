#pragma once
// Small synchronous HTTP and WebSocket clients for tests. Each owns a private io_context
// and runs it only while waiting, so every wait is bounded by a timeout and nothing
// sleeps. Transport failures are reported as values (status 0, nullopt), never thrown,
// so a broken server fails an assertion instead of a test binary.
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  unsigned status = 0;  // 0: no response; `error` says why
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; repeats joined by ", "
  std::string error;

  // The body parsed as JSON; null when it is not JSON.
  boost::json::value json() const;
  // The header's value, or "" when absent.
  std::string header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends on the kept connection (reconnecting when the server closed it) and reads the
  // answer. Content-Length is set from the body unless `headers` sets it or
  // Transfer-Encoding.
  Response request(boost::beast::http::verb method, std::string target, std::string body = "",
                   Headers headers = {});
  Response get(std::string target) {
    return request(boost::beast::http::verb::get, std::move(target));
  }

  // True when the server closes the kept connection within `timeout` (a blocking read
  // returns end of stream); false on timeout, on data, or without a connection.
  bool waitForServerClose(std::chrono::milliseconds timeout);
  // How many TCP connections this client has opened.
  int connects() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct WsCloseReason {
  uint16_t code = 0;
  std::string reason;
};

class WsClient {
 public:
  explicit WsClient(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // TCP connect plus the opening handshake. On refusal, handshakeResponse() holds the
  // server's HTTP answer.
  bool connect(const std::string& host, uint16_t port, const std::string& target,
               Headers headers = {});
  const Response& handshakeResponse() const;

  bool send(std::string text);
  // The next text or binary message; nullopt when none arrives within `timeout` or the
  // connection closed (then closed() is true). A read left waiting by a timeout stays
  // pending, so nothing is lost and the stream stays usable.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  // Starts the closing handshake and waits for the server's close frame.
  bool close(uint16_t code = 1000);
  bool closed() const;
  // What the server's close frame said, once one arrived.
  std::optional<WsCloseReason> closeReason() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Connects, sends `bytes` as they are and returns everything received until the server
// closes the connection or `timeout` passes. `closed_by_server` (optional) tells which.
std::string rawExchange(const std::string& host, uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds timeout, bool* closed_by_server = nullptr);

}  // namespace sb::testing
