// The SIP listeners of the real server: UDP and TCP on one port, IPv4 and IPv6,
// CRLF keep-alives, and a source that keeps sending garbage dropped and logged once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "harness.hpp"
#include "sip/sip_message.hpp"

namespace sb::testing {
namespace {

using namespace std::chrono_literals;

// A socket of the test: UDP or TCP, IPv4 or IPv6, talking to the server's SIP port.
class Peer {
 public:
  Peer(int family, int type, const char* local_ip) : family_(family) {
    fd_ = socket(family, type, 0);
    if (family == AF_INET) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      inet_pton(AF_INET, local_ip, &a.sin_addr);
      ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    } else {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      inet_pton(AF_INET6, local_ip, &a.sin6_addr);
      ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
  }
  ~Peer() { close(fd_); }
  bool ok() const { return ok_; }

  bool connectTo(const char* ip, uint16_t port) {
    sockaddr_storage to = address(ip, port);
    return connect(fd_, reinterpret_cast<sockaddr*>(&to),
                   family_ == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)) == 0;
  }
  void sendTo(const char* ip, uint16_t port, const std::string& bytes) {
    sockaddr_storage to = address(ip, port);
    sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to),
           family_ == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
  }
  void send(const std::string& bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }

  // Whatever arrives within `timeout` (one datagram, or what a stream has so far).
  std::string receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buf[65536];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
  }

 private:
  sockaddr_storage address(const char* ip, uint16_t port) const {
    sockaddr_storage s{};
    if (family_ == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&s);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      inet_pton(AF_INET, ip, &a->sin_addr);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&s);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      inet_pton(AF_INET6, ip, &a->sin6_addr);
    }
    return s;
  }

  int family_;
  int fd_ = -1;
  bool ok_ = false;
};

bool ipv6LoopbackWorks() {
  Peer probe(AF_INET6, SOCK_DGRAM, "::1");
  return probe.ok();
}

std::string options(const std::string& transport, const std::string& sent_by, const std::string& branch) {
  return "OPTIONS sip:ping@switchboard SIP/2.0\r\n"
         "Via: SIP/2.0/" + transport + " " + sent_by + ";branch=z9hG4bK" + branch + ";rport\r\n"
         "Max-Forwards: 70\r\nFrom: <sip:probe@example.net>;tag=p1\r\nTo: <sip:ping@switchboard>\r\n"
         "Call-ID: " + branch + "@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

class SipTransportTest : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    if (ipv6LoopbackWorks()) return {"--sip", "127.0.0.1:0,[::1]:0"};
    return {"--sip", "127.0.0.1:0"};
  }
};

void expectOk(const std::string& answer, const std::string& what) {
  auto parsed = sip::parseSipMessage(answer);
  ASSERT_TRUE(parsed) << what << ": " << answer;
  EXPECT_EQ(parsed->statusCode(), 200) << what;
  EXPECT_NE(parsed->header("Allow").value_or("").find("INVITE"), std::string_view::npos) << what;
  EXPECT_EQ(parsed->header("Accept").value_or(""), "application/sdp") << what;
}

TEST_F(SipTransportTest, OptionsAnsweredOverUdpAndTcpOnOnePort) {
  const uint16_t port = server_->sipPort();
  ASSERT_NE(port, 0);

  Peer udp(AF_INET, SOCK_DGRAM, "127.0.0.1");
  ASSERT_TRUE(udp.ok());
  udp.sendTo("127.0.0.1", port, options("UDP", "127.0.0.1:9", "udp4"));
  const std::string udp_answer = udp.receive(5s);
  expectOk(udp_answer, "UDP");
  // rport: the answer came back to our source port although the Via said 9, and says so.
  EXPECT_NE(udp_answer.find("rport="), std::string::npos);
  EXPECT_NE(udp_answer.find("received=127.0.0.1"), std::string::npos);

  Peer tcp(AF_INET, SOCK_STREAM, "127.0.0.1");
  ASSERT_TRUE(tcp.connectTo("127.0.0.1", port));
  tcp.send(options("TCP", "127.0.0.1:9", "tcp4"));
  expectOk(tcp.receive(5s), "TCP");
  // A double-CRLF ping on the same connection gets a CRLF pong (RFC 5626 §4.4.1).
  tcp.send("\r\n\r\n");
  EXPECT_EQ(tcp.receive(5s), "\r\n");
}

TEST_F(SipTransportTest, OptionsAnsweredOverIpv6) {
  if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  const uint16_t port = server_->sipPort();
  EXPECT_NE(server_->startupOutput().find("sip listening on [::1]:" + std::to_string(port)), std::string::npos)
      << server_->startupOutput();

  Peer udp(AF_INET6, SOCK_DGRAM, "::1");
  udp.sendTo("::1", port, options("UDP", "[::1]:9", "udp6"));
  const std::string answer = udp.receive(5s);
  expectOk(answer, "UDP over IPv6");
  EXPECT_NE(answer.find("received=::1"), std::string::npos) << answer;

  Peer tcp(AF_INET6, SOCK_STREAM, "::1");
  ASSERT_TRUE(tcp.connectTo("::1", port));
  tcp.send(options("TCP", "[::1]:9", "tcp6"));
  expectOk(tcp.receive(5s), "TCP over IPv6");
}

TEST_F(SipTransportTest, ASourceThatKeepsSendingGarbageIsDroppedAndLoggedOnce) {
  const uint16_t port = server_->sipPort();
  Peer attacker(AF_INET, SOCK_DGRAM, "127.0.0.3");
  ASSERT_TRUE(attacker.ok());
  for (int i = 0; i < 20; ++i) attacker.sendTo("127.0.0.1", port, "NOT SIP AT ALL " + std::to_string(i) + "\r\n\r\n");

  // Blocked now: even a good request from that address gets no answer…
  std::string log;
  for (int i = 0; i < 100 && log.find("sip_source_blocked") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    log = server_->errorOutput();
  }
  ASSERT_NE(log.find("SECURITY event=sip_source_blocked ip=127.0.0.3"), std::string::npos) << log;
  attacker.sendTo("127.0.0.1", port, options("UDP", "127.0.0.3:9", "after"));
  EXPECT_EQ(attacker.receive(1s), "");
  // …logged once however much more it sends…
  for (int i = 0; i < 20; ++i) attacker.sendTo("127.0.0.1", port, "MORE GARBAGE\r\n\r\n");
  // …while everyone else is still served.
  Peer other(AF_INET, SOCK_DGRAM, "127.0.0.4");
  other.sendTo("127.0.0.1", port, options("UDP", "127.0.0.4:9", "other"));
  expectOk(other.receive(5s), "another source");
  log = server_->errorOutput();
  EXPECT_EQ(log.find("sip_source_blocked"), log.rfind("sip_source_blocked")) << log;
}

}  // namespace
}  // namespace sb::testing
