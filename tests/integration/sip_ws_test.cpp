// SIP over WebSocket (RFC 7118) through the real server: a browser-like client registers
// at /sip with digest authentication, and a customer call from the trunk (UDP) reaches
// it over its WebSocket, is answered there and hung up by the caller.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <regex>

#include "harness.hpp"
#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"
#include "sip/sip_message.hpp"

namespace sb::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "alice-ws-Secret-99";
// The customer's SDP offer (and, with another origin, the browser's answer).
constexpr const char* kOffer =
    "v=0\r\no=trunk 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

class SipWebSocketTest : public ServerTest {
 protected:
  std::string provisioning() const override {
    return R"(
[[trunks]]
name = "pstn"
address = "127.0.0.10"
outbound = "127.0.0.10:5070"

[[orgs]]
name = "Acme"
domain = "acme.example"
country_code = "82"
numbers = ["0215880000"]
ring_timeout_s = 5
after_login = "ready"
  [[orgs.menus]]
  digit = "1"
  name = "Orders"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Kim"
  password = "acme-admin-Secret-1"
  sip_secret = ")" + std::string(kSecret) + R"("
  menus = ["1"]
)";
  }

  // The value of a gauge in /metrics (-1 when absent).
  double gauge(const std::string& name) {
    const std::string body = get("/metrics").body;
    std::smatch m;
    if (!std::regex_search(body, m, std::regex("\n" + name + " ([0-9.e+-]+)\n"))) return -1;
    return std::stod(m[1].str());
  }

  bool waitForGauge(const std::string& name, double value) {
    for (int i = 0; i < 100; ++i) {  // at most 5 s; gauges are published every 250 ms
      if (gauge(name) == value) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  static std::optional<sip::SipMessage> receiveSip(WsClient& ws, std::chrono::seconds wait = 5s) {
    auto text = ws.receive(wait);
    if (!text) return std::nullopt;
    auto parsed = sip::parseSipMessage(*text);
    if (!parsed) return std::nullopt;
    return *parsed;
  }

  // Registers `agent`'s browser phone on `ws` (the MD5/SHA-256 challenge answered with
  // SHA-256), the `registrations`th of the server; fails the test otherwise.
  void registerBrowser(WsClient& ws, const std::string& agent = "alice", const std::string& secret = kSecret,
                       int registrations = 1) {
    ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/sip", {{"Sec-WebSocket-Protocol", "sip"}}));
    EXPECT_EQ(ws.handshakeResponse().header("sec-websocket-protocol"), "sip");
    ASSERT_TRUE(ws.send(registerRequest(1, "", agent)));
    auto challenge = receiveSip(ws);
    ASSERT_TRUE(challenge);
    ASSERT_EQ(challenge->statusCode(), 401);
    auto values = challenge->headerValues("WWW-Authenticate");
    ASSERT_EQ(values.size(), 2u);
    EXPECT_NE(values[0].find("algorithm=MD5"), std::string_view::npos);
    EXPECT_NE(values[1].find("algorithm=SHA-256"), std::string_view::npos);
    // Answer the SHA-256 one (RFC 8760): the server must take either.
    auto parsed = sip::parseDigestChallenge(values[1]);
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto authorization =
        sip::digestAuthorization(*parsed, agent, secret, "REGISTER", "sip:acme.example", "0a4f113b", 1);
    ASSERT_TRUE(authorization);
    ASSERT_TRUE(ws.send(registerRequest(2, *authorization, agent)));
    auto ok = receiveSip(ws);
    ASSERT_TRUE(ok);
    ASSERT_EQ(ok->statusCode(), 200);
    EXPECT_NE(ok->header("Contact").value_or("").find("transport=ws"), std::string_view::npos);
    EXPECT_TRUE(waitForGauge("sb_sip_registrations", registrations));
  }

  // The browser answers an INVITE with an SDP of its own and gets our ACK.
  static void answerInvite(WsClient& ws, const sip::SipMessage& invite) {
    sip::SipMessage answer = sip::makeResponse(invite, 200, "browser1");
    answer.addHeader("Contact", "<sip:alice@df7jal23ls0d.invalid;transport=ws>");
    answer.addHeader("Content-Type", "application/sdp");
    std::string sdp = kOffer;
    sdp.replace(sdp.find("o=trunk"), 7, "o=brows");
    answer.setBody(sdp);
    ASSERT_TRUE(ws.send(sip::serializeSipMessage(answer)));
    auto ack = receiveSip(ws);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->method(), "ACK");
  }

  static std::string registerRequest(int cseq, const std::string& authorization,
                                     const std::string& agent = "alice") {
    std::string r = "REGISTER sip:acme.example SIP/2.0\r\n"
                    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKws" + agent + std::to_string(cseq) +
                    ";rport\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:" + agent + "@acme.example>;tag=wsreg\r\n"
                    "To: <sip:" + agent + "@acme.example>\r\n"
                    "Call-ID: ws-register-" + agent + "\r\n"
                    "CSeq: " + std::to_string(cseq) + " REGISTER\r\n"
                    "Contact: <sip:" + agent + "@df7jal23ls0d.invalid;transport=ws>;expires=600\r\n";
    if (!authorization.empty()) r += "Authorization: " + authorization + "\r\n";
    r += "Content-Length: 0\r\n\r\n";
    return r;
  }
};

// A UDP socket bound to the trunk's address: the customer's side.
class TrunkSocket {
 public:
  TrunkSocket() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.10", &local.sin_addr);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
    socklen_t len = sizeof local;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
    port_ = ntohs(local.sin_port);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~TrunkSocket() { close(fd_); }
  bool bound() const { return bound_; }
  uint16_t port() const { return port_; }

  void send(uint16_t to_port, const std::string& text) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(to_port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }

  // The next response with a status ≥ `min_status` (provisional ones before it skipped).
  std::optional<sip::SipMessage> receive(int min_status) {
    char buf[65536];
    for (int i = 0; i < 20; ++i) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      auto parsed = sip::parseSipMessage(std::string_view(buf, static_cast<size_t>(n)));
      if (!parsed) continue;
      if (!parsed->isRequest() && parsed->statusCode() >= min_status) return *parsed;
    }
    return std::nullopt;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  uint16_t port_ = 0;
};

// The customer's side of a call from the trunk: INVITE (answered by the contact center
// at once), ACK, and later the BYE.
class Customer {
 public:
  Customer(TrunkSocket& trunk, uint16_t server_port, std::string call_id)
      : trunk_(trunk), server_port_(server_port), call_id_(std::move(call_id)) {}

  // The answer to the INVITE (nullopt when none came), ACKed.
  std::optional<sip::SipMessage> call() {
    const char* offer = kOffer;
    trunk_.send(server_port_, "INVITE sip:0215880000@127.0.0.1:" + std::to_string(server_port_) +
                                  " SIP/2.0\r\nVia: " + via("cust1") +
                                  "\r\nMax-Forwards: 70\r\nFrom: <sip:01099990000@127.0.0.10>;tag=cust\r\n"
                                  "To: <sip:0215880000@acme.example>\r\nCall-ID: " + call_id_ +
                                  "\r\nCSeq: 1 INVITE\r\nContact: <sip:01099990000@127.0.0.10:" +
                                  std::to_string(trunk_.port()) +
                                  ">\r\nContent-Type: application/sdp\r\nContent-Length: " +
                                  std::to_string(strlen(offer)) + "\r\n\r\n" + offer);
    auto answered = trunk_.receive(200);
    if (!answered || answered->statusCode() != 200) return answered;
    to_ = std::string(answered->header("To").value_or(""));
    send("ACK", "cust2", 1);
    return answered;
  }
  // BYE; true when the server answered 200.
  bool hangUp() {
    send("BYE", "cust3", 2);
    auto ok = trunk_.receive(200);
    return ok && ok->statusCode() == 200;
  }

 private:
  std::string via(const char* branch) const {
    return "SIP/2.0/UDP 127.0.0.10:" + std::to_string(trunk_.port()) + ";branch=z9hG4bK" + call_id_ + branch +
           ";rport";
  }
  void send(const char* method, const char* branch, int cseq) {
    trunk_.send(server_port_, std::string(method) + " sip:sb@127.0.0.1:" + std::to_string(server_port_) +
                                  " SIP/2.0\r\nVia: " + via(branch) +
                                  "\r\nMax-Forwards: 70\r\nFrom: <sip:01099990000@127.0.0.10>;tag=cust\r\nTo: " +
                                  to_ + "\r\nCall-ID: " + call_id_ + "\r\nCSeq: " + std::to_string(cseq) + " " +
                                  method + "\r\nContent-Length: 0\r\n\r\n");
  }
  TrunkSocket& trunk_;
  uint16_t server_port_;
  std::string call_id_;
  std::string to_;
};

TEST_F(SipWebSocketTest, BrowserRegistersOverWebSocketAndTakesACustomerCall) {
  WsClient ws;
  registerBrowser(ws);
  if (HasFatalFailure()) return;

  // Logged in (the org's after_login is Ready) and registered: alice can take calls.
  ASSERT_FALSE(login("Acme", "alice", "acme-admin-Secret-1").empty());

  // The customer calls the org's number from the trunk: the contact center answers at
  // once with its own SDP (PCMU and telephone-event as offered, a port of ours).
  TrunkSocket trunk;
  ASSERT_TRUE(trunk.bound());
  Customer customer(trunk, server_->sipPort(), "ws-call-1");
  auto answered = customer.call();
  ASSERT_TRUE(answered);
  ASSERT_EQ(answered->statusCode(), 200);
  {
    auto our_answer = sip::parseSdp(answered->body());
    ASSERT_TRUE(our_answer.ok()) << answered->body();
    EXPECT_EQ(our_answer->connectionFor(0)->address, "127.0.0.1");
    EXPECT_NE(our_answer->media[0].port, 40000);
    EXPECT_EQ(our_answer->media[0].formats, (std::vector<std::string>{"0", "101"}));
  }

  // After the welcome (the org has one menu: no question) the call rings alice's browser,
  // with the customer's number in From, the menu as its display name and the Alert-Info
  // of a contact-center call (D1).
  auto incoming = receiveSip(ws, 20s);
  ASSERT_TRUE(incoming);
  ASSERT_TRUE(incoming->isRequest());
  ASSERT_EQ(incoming->method(), "INVITE");
  EXPECT_EQ(incoming->requestUri(), "sip:alice@df7jal23ls0d.invalid;transport=ws");
  EXPECT_NE(incoming->header("Via").value_or("").find("SIP/2.0/WS "), std::string_view::npos);
  const std::string from(incoming->header("From").value_or(""));
  EXPECT_NE(from.find("\"Orders\" <sip:01099990000@acme.example>"), std::string::npos) << from;
  EXPECT_EQ(incoming->header("Alert-Info").value_or(""), "<urn:alert:source:external>;info=contact-center");
  // The browser gets the server's own offer (the server terminates the media): our
  // address, an RTP port of ours, the customer's codec first.
  {
    auto offer = sip::parseSdp(incoming->body());
    ASSERT_TRUE(offer.ok()) << incoming->body();
    ASSERT_EQ(offer->media.size(), 1u);
    EXPECT_EQ(offer->connectionFor(0)->address, "127.0.0.1");
    EXPECT_NE(offer->media[0].port, 40000);
    EXPECT_EQ(offer->media[0].port % 2, 0);
    EXPECT_EQ(offer->media[0].formats.front(), "0");
    EXPECT_NE(offer->origin.username, "trunk");
  }
  EXPECT_TRUE(waitForGauge("sb_sip_calls", 2));
  EXPECT_TRUE(waitForGauge("sb_media_legs", 2));

  // The browser answers; our ACK reaches it.
  answerInvite(ws, *incoming);

  // The customer hangs up: the browser gets a BYE and answers it.
  EXPECT_TRUE(customer.hangUp());
  auto bye = receiveSip(ws);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method(), "BYE");
  ASSERT_TRUE(ws.send(sip::serializeSipMessage(sip::makeResponse(*bye, 200))));
  EXPECT_TRUE(waitForGauge("sb_sip_calls", 0));
  EXPECT_TRUE(waitForGauge("sb_sip_dialogs", 0));
  EXPECT_TRUE(waitForGauge("sb_media_legs", 0));
  EXPECT_TRUE(waitForGauge("sb_media_ports_in_use", 0));

  // Closing the socket removes the registration made on it.
  ws.close();
  EXPECT_TRUE(waitForGauge("sb_sip_registrations", 0));
}

// Issue 6 item 7: the app's events during a real call, in order, numbered, and what a
// reconnecting app missed replayed after `?since=`.
TEST_F(SipWebSocketTest, TheAppHearsACallsEventsInOrderAndResumesAfterAReconnect) {
  WsClient phone;
  registerBrowser(phone);
  if (HasFatalFailure()) return;
  const std::string token = login("Acme", "alice", "acme-admin-Secret-1");
  ASSERT_FALSE(token.empty());
  WsClient events;
  ASSERT_TRUE(events.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(token)));
  auto hello = events.receive(5s);
  ASSERT_TRUE(hello);
  std::int64_t seq = boost::json::parse(*hello).at("seq").as_int64();

  TrunkSocket trunk;
  ASSERT_TRUE(trunk.bound());
  Customer customer(trunk, server_->sipPort(), "ws-call-2");
  ASSERT_TRUE(customer.call());
  auto incoming = receiveSip(phone, 20s);
  ASSERT_TRUE(incoming && incoming->method() == "INVITE");
  answerInvite(phone, *incoming);
  // While connected, the app holds and resumes the customer.
  auto me_call = get("/api/v1/me/call", token);
  ASSERT_EQ(me_call.status, 200u) << me_call.body;
  const std::int64_t call = me_call.json().at("id").as_int64();
  EXPECT_EQ(me_call.json().at("stage").as_string(), "connected");
  EXPECT_EQ(me_call.json().at("customer").as_string(), "01099990000");
  const std::string base = "/api/v1/calls/" + std::to_string(call);
  EXPECT_EQ(post(base + "/hold", "", token).status, 204u);
  EXPECT_EQ(post(base + "/unhold", "", token).status, 204u);
  EXPECT_TRUE(customer.hangUp());
  auto bye = receiveSip(phone);
  ASSERT_TRUE(bye && bye->method() == "BYE");
  ASSERT_TRUE(phone.send(sip::serializeSipMessage(sip::makeResponse(*bye, 200))));

  // What the app hears, in the order it happened, each numbered one more than the last
  // (queue counts may come in between; they are the org's, not the call's).
  const std::vector<std::string> expected{"agent.state:ringing", "call.offered",  "agent.state:on_call",
                                          "call.answered",       "call.held",     "call.resumed",
                                          "agent.state:acw",     "call.ended"};
  std::vector<std::string> heard;
  while (heard.size() < expected.size()) {
    auto text = events.receive(10s);
    ASSERT_TRUE(text) << "heard only " << heard.size() << " events";
    const auto v = boost::json::parse(*text).as_object();
    EXPECT_EQ(v.at("seq").as_int64(), seq + 1) << *text;
    seq = v.at("seq").as_int64();
    std::string type(v.at("type").as_string());
    if (type == "queue.waiting") continue;
    if (type == "agent.state") type += ":" + std::string(v.at("state").as_string());
    if (v.contains("call")) {
      EXPECT_EQ(v.at("call").as_int64(), call) << *text;
    }
    heard.push_back(type);
  }
  EXPECT_EQ(heard, expected);

  // The app is away while the agent goes Ready from elsewhere; back with ?since=, it
  // gets what it missed, in order, and then lives on.
  events.close();
  auto put = http().request(http::verb::put, "/api/v1/me/state", R"({"state":"ready"})", jsonHeaders(token));
  ASSERT_EQ(put.status, 200u) << put.body;
  WsClient back;
  ASSERT_TRUE(back.connect("127.0.0.1", server_->httpPort(), "/api/v1/events?since=" + std::to_string(seq),
                           authHeader(token)));
  auto again = back.receive(5s);
  ASSERT_TRUE(again);
  EXPECT_EQ(boost::json::parse(*again).at("type").as_string(), "hello");
  auto missed = back.receive(5s);
  ASSERT_TRUE(missed);
  const auto m = boost::json::parse(*missed).as_object();
  EXPECT_EQ(m.at("type").as_string(), "agent.state");
  EXPECT_EQ(m.at("state").as_string(), "ready");
  EXPECT_EQ(m.at("seq").as_int64(), seq + 1);

  // The ended call is in the history with its hold time and the org's recording URL.
  auto record = get(base, token);
  ASSERT_EQ(record.status, 200u) << record.body;
  EXPECT_EQ(record.json().at("result").as_string(), "answered");
  EXPECT_EQ(record.json().at("direction").as_string(), "inbound");
  EXPECT_TRUE(waitForGauge("sb_sip_calls", 0));

  // Issue 7: today's statistics and the dashboard count it.
  auto stats = get("/api/v1/stats?by=menu&period=today", token);
  ASSERT_EQ(stats.status, 200u) << stats.body;
  const auto stats_body = stats.json();
  const auto& orders = stats_body.at("rows").as_array().at(0).as_object();
  EXPECT_EQ(orders.at("key").as_string(), "1");
  EXPECT_EQ(orders.at("inflow").as_int64(), 1);
  EXPECT_EQ(orders.at("answered").as_int64(), 1);
  EXPECT_EQ(orders.at("answer_rate").as_double(), 1.0);
  EXPECT_EQ(stats_body.at("total").at("answered").as_int64(), 1);
  auto agents = get("/api/v1/stats?by=agent&period=today", token);
  ASSERT_EQ(agents.status, 200u) << agents.body;
  const auto agents_body = agents.json();
  const auto& alice = agents_body.at("rows").as_array().at(0).as_object();
  EXPECT_EQ(alice.at("key").as_string(), "alice");
  EXPECT_EQ(alice.at("answered").as_int64(), 1);
  EXPECT_GT(alice.at("talk_ms").as_int64(), 0);
  EXPECT_GT(alice.at("hold_ms").as_int64(), -1);
  auto dashboard = get("/api/v1/dashboard", token);
  ASSERT_EQ(dashboard.status, 200u) << dashboard.body;
  EXPECT_EQ(dashboard.json().at("today").at("answered").as_int64(), 1);
  EXPECT_EQ(dashboard.json().at("mine").at("answered").as_int64(), 1);
  EXPECT_EQ(dashboard.json().at("waiting").at("total").as_int64(), 0);
  EXPECT_EQ(dashboard.json().at("hourly").at("today").as_array().size(), 24u);  // a UTC day
}

// F4: the colleagues' list says who a transfer can reach. Bob is Ready without a phone:
// listed with `reachable: false`, and a transfer to him is refused, as the list said;
// once his browser phone registers he is reachable, and unreachable again when it goes.
class TransferTargetsTest : public SipWebSocketTest {
 protected:
  std::string provisioning() const override {
    return SipWebSocketTest::provisioning() + R"(
  [[orgs.agents]]
  id = "bob"
  name = "Bob Lee"
  password = "acme-agent-Secret-2"
  sip_secret = ")" + std::string(kBobSecret) + R"("
  menus = ["1"]
)";
  }

  static constexpr const char* kBobSecret = "bob-ws-Secret-77";

  // {agent id → item} of GET /api/v1/agents (with `query`); fails the test unless 200.
  std::map<std::string, boost::json::object> agents(const std::string& token, const std::string& query = "") {
    auto r = get("/api/v1/agents" + query, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::map<std::string, boost::json::object> out;
    if (r.status != 200u) return out;
    const boost::json::value body = r.json();
    for (const auto& item : body.at("items").as_array()) {
      out[std::string(item.at("id").as_string())] = item.as_object();
    }
    return out;
  }
  // Waits (at most 5 s) until `agent`'s `reachable` is `want`: a phone going away is
  // noticed on the SIP thread, after the socket closes.
  bool waitReachable(const std::string& token, const std::string& agent, bool want) {
    for (int i = 0; i < 100; ++i) {
      auto list = agents(token);
      if (list.count(agent) && list.at(agent).at("reachable").as_bool() == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

TEST_F(TransferTargetsTest, TheListSaysWhoATransferCanReach) {
  WsClient alice_phone;
  registerBrowser(alice_phone);
  if (HasFatalFailure()) return;
  const std::string alice = login("Acme", "alice", "acme-admin-Secret-1");
  const std::string bob = login("Acme", "bob", "acme-agent-Secret-2");
  ASSERT_FALSE(alice.empty());
  ASSERT_FALSE(bob.empty());

  // Both Ready (the org's after_login); only alice has a phone.
  {
    auto ready = agents(bob, "?state=ready");
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_EQ(ready.at("alice").at("state").at("state").as_string(), "ready");
    EXPECT_TRUE(ready.at("alice").at("reachable").as_bool());
    EXPECT_FALSE(ready.at("alice").at("self").as_bool());
    EXPECT_EQ(ready.at("bob").at("state").at("state").as_string(), "ready");
    EXPECT_FALSE(ready.at("bob").at("reachable").as_bool());
    EXPECT_TRUE(ready.at("bob").at("self").as_bool());
  }

  // A customer call rings alice (the one reachable) and she answers.
  TrunkSocket trunk;
  ASSERT_TRUE(trunk.bound());
  Customer customer(trunk, server_->sipPort(), "transfer-list-1");
  ASSERT_TRUE(customer.call());
  auto incoming = receiveSip(alice_phone, 20s);
  ASSERT_TRUE(incoming && incoming->method() == "INVITE");
  answerInvite(alice_phone, *incoming);
  auto me_call = get("/api/v1/me/call", alice);
  ASSERT_EQ(me_call.status, 200u) << me_call.body;
  const std::string transfer = "/api/v1/calls/" + std::to_string(me_call.json().at("id").as_int64()) + "/transfer";

  // Her transfer list: bob, Ready but unreachable; and the transfer agrees.
  {
    auto ready = agents(alice, "?state=ready");
    ASSERT_EQ(ready.size(), 1u);  // alice is on the call
    EXPECT_FALSE(ready.at("bob").at("reachable").as_bool());
    auto all = agents(alice);
    EXPECT_EQ(all.at("alice").at("state").at("state").as_string(), "on_call");
    EXPECT_TRUE(all.at("alice").at("reachable").as_bool());
  }
  auto refused = post(transfer, R"({"agent":"bob"})", alice);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_EQ(problemType(refused.body), "/problems/agent-not-ready");

  // Bob's browser phone registers: now he is a target a transfer can reach.
  WsClient bob_phone;
  registerBrowser(bob_phone, "bob", kBobSecret, 2);
  if (HasFatalFailure()) return;
  EXPECT_TRUE(waitReachable(alice, "bob", true));
  EXPECT_EQ(agents(alice, "?state=ready").at("bob").at("state").at("state").as_string(), "ready");

  // The customer hangs up; alice's phone answers the BYE.
  EXPECT_TRUE(customer.hangUp());
  auto bye = receiveSip(alice_phone);
  ASSERT_TRUE(bye && bye->method() == "BYE");
  ASSERT_TRUE(alice_phone.send(sip::serializeSipMessage(sip::makeResponse(*bye, 200))));
  EXPECT_TRUE(waitForGauge("sb_sip_calls", 0));

  // Bob's phone goes away (its registration with it): unreachable again, still Ready.
  bob_phone.close();
  EXPECT_TRUE(waitForGauge("sb_sip_registrations", 1));
  EXPECT_TRUE(waitReachable(alice, "bob", false));
  EXPECT_EQ(agents(alice).at("bob").at("state").at("state").as_string(), "ready");
}

TEST_F(SipWebSocketTest, WebSocketWithoutTheSipSubprotocolIsRefused) {
  WsClient ws;
  EXPECT_FALSE(ws.connect("127.0.0.1", server_->httpPort(), "/sip"));
  EXPECT_EQ(ws.handshakeResponse().status, 400u);
}

}  // namespace
}  // namespace sb::testing
