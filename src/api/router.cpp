#include "api/router.hpp"

#include <algorithm>
#include <cctype>

#include "core/check.hpp"

namespace sb::api {

struct Router::Node {
  // Transparent comparison lets a request's decoded segment look up without a copy.
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::unique_ptr<Node> rest;  // `{name...}`: always a terminal

  // Set on the node where a pattern ends. Patterns sharing a node must name their
  // parameters alike, so the names live here and the walk only collects values.
  std::string pattern;
  std::vector<std::string> param_names;
  std::map<http::verb, Handler> handlers;
  std::unique_ptr<WebSocketHandler> websocket;
};

struct Router::Fallback {
  std::string label;
  Handler handler;
};

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::vector<std::string_view> splitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path == "/") return out;
  size_t start = 1;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

// A decoded segment that may become a parameter value: ids and file names never hold
// a slash, a NUL or a dot segment, and refusing them here keeps handlers from having
// to think about traversal.
bool paramEligible(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
         s.find('\0') == std::string_view::npos;
}

struct Segment {
  enum class Kind { kLiteral, kParam, kRest };
  Kind kind;
  std::string text;  // the literal, or the parameter's name
};

std::vector<Segment> parsePattern(std::string_view pattern) {
  SB_CHECK(!pattern.empty() && pattern[0] == '/', "a route pattern starts with '/'");
  std::vector<Segment> out;
  const auto raw = splitSegments(pattern);
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string_view s = raw[i];
    SB_CHECK(!s.empty(), "a route pattern has no empty segment");
    if (s.front() == '{') {
      SB_CHECK(s.back() == '}', "a parameter segment is `{name}` or `{name...}`");
      std::string_view name = s.substr(1, s.size() - 2);
      Segment::Kind kind = Segment::Kind::kParam;
      if (name.ends_with("...")) {
        SB_CHECK(i + 1 == raw.size(), "`{name...}` is only allowed as the last segment");
        name.remove_suffix(3);
        kind = Segment::Kind::kRest;
      }
      SB_CHECK(isIdentifier(name), "a parameter name is an identifier");
      for (const Segment& prev : out) {
        SB_CHECK(prev.kind == Segment::Kind::kLiteral || prev.text != name,
                 "parameter names in a pattern are unique");
      }
      out.push_back({kind, std::string(name)});
      continue;
    }
    SB_CHECK(s.find_first_of("{}%") == std::string_view::npos,
             "a literal segment is written decoded and holds no braces");
    out.push_back({Segment::Kind::kLiteral, std::string(s)});
  }
  return out;
}

std::string_view verbName(http::verb v) {
  return http::to_string(v);
}

class Walker {
 public:
  Walker(const std::vector<std::string>& segments, const std::vector<bool>& eligible)
      : segments_(segments), eligible_(eligible) {}

  // Calls visit(node, captured values) for each terminal the path reaches, literal
  // branches first, until visit returns true.
  template <typename Visit>
  bool walk(const Router::Node& node, size_t i, Visit& visit);

 private:
  const std::vector<std::string>& segments_;
  const std::vector<bool>& eligible_;
  std::vector<std::string> captured_;
};

}  // namespace

template <typename Visit>
bool Walker::walk(const Router::Node& node, size_t i, Visit& visit) {
  if (i == segments_.size()) return visit(node, captured_);
  if (auto it = node.literals.find(segments_[i]); it != node.literals.end()) {
    if (walk(*it->second, i + 1, visit)) return true;
  }
  if (node.param && eligible_[i]) {
    captured_.push_back(segments_[i]);
    if (walk(*node.param, i + 1, visit)) return true;
    captured_.pop_back();
  }
  if (node.rest) {
    std::string joined;
    for (size_t j = i; j < segments_.size(); ++j) {
      if (!eligible_[j]) return false;
      if (j > i) joined += '/';
      joined += segments_[j];
    }
    captured_.push_back(std::move(joined));
    if (visit(*node.rest, captured_)) return true;
    captured_.pop_back();
  }
  return false;
}

namespace {

PathParams zipParams(const std::vector<std::string>& names,
                     const std::vector<std::string>& values) {
  PathParams out;
  out.reserve(names.size());
  for (size_t i = 0; i < names.size() && i < values.size(); ++i)
    out.emplace_back(names[i], values[i]);
  return out;
}

const Handler* handlerFor(const Router::Node& node, http::verb method) {
  if (auto it = node.handlers.find(method); it != node.handlers.end()) return &it->second;
  if (method == http::verb::head) {
    if (auto it = node.handlers.find(http::verb::get); it != node.handlers.end()) {
      return &it->second;
    }
  }
  return nullptr;
}

// Decodes every segment of `path`; false when an escape is malformed.
bool decodePath(std::string_view path, std::vector<std::string>& segments,
                std::vector<bool>& eligible) {
  if (path.empty() || path[0] != '/') return false;
  for (std::string_view raw : splitSegments(path)) {
    auto decoded = percentDecode(raw);
    if (!decoded) return false;
    eligible.push_back(paramEligible(*decoded));
    segments.push_back(std::move(*decoded));
  }
  return true;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

namespace {

Router::Node& terminalFor(Router::Node& root, const std::string& pattern) {
  Router::Node* node = &root;
  std::vector<std::string> names;
  for (Segment& seg : parsePattern(pattern)) {
    std::unique_ptr<Router::Node>* child = nullptr;
    switch (seg.kind) {
      case Segment::Kind::kLiteral:
        child = &node->literals[seg.text];
        break;
      case Segment::Kind::kParam:
        child = &node->param;
        break;
      case Segment::Kind::kRest:
        child = &node->rest;
        break;
    }
    if (!*child) *child = std::make_unique<Router::Node>();
    node = child->get();
    if (seg.kind != Segment::Kind::kLiteral) names.push_back(std::move(seg.text));
  }
  if (node->pattern.empty()) {
    node->pattern = pattern;
    node->param_names = std::move(names);
    return *node;
  }
  SB_CHECK(node->param_names == names,
           "patterns that differ only in parameter names must use the same names");
  return *node;
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Handler handler) {
  SB_CHECK(handler, "a route needs a handler");
  Node& node = terminalFor(*root_, pattern);
  const bool inserted = node.handlers.emplace(method, std::move(handler)).second;
  SB_CHECK(inserted, "a method and pattern are registered once");
}

void Router::setFallback(std::string label, Handler handler) {
  SB_CHECK(handler, "a fallback needs a handler");
  SB_CHECK(!fallback_, "the fallback is set once");
  fallback_ = std::make_unique<Fallback>(Fallback{std::move(label), std::move(handler)});
}

void Router::addWebSocket(std::string pattern, WebSocketHandler handler) {
  SB_CHECK(handler, "a WebSocket route needs a handler");
  Node& node = terminalFor(*root_, pattern);
  SB_CHECK(!node.websocket, "a WebSocket pattern is registered once");
  node.websocket = std::make_unique<WebSocketHandler>(std::move(handler));
}

RouteMatch Router::match(http::verb method, std::string_view path) const {
  RouteMatch result;
  std::vector<std::string> segments;
  std::vector<bool> eligible;
  if (!decodePath(path, segments, eligible)) {
    result.kind = RouteMatch::Kind::kInvalidPath;
    return result;
  }
  std::vector<http::verb> allowed;
  bool websocket_path = false;
  auto visit = [&](const Node& node, const std::vector<std::string>& values) {
    if (node.websocket) websocket_path = true;
    if (node.handlers.empty()) return false;
    if (const Handler* h = handlerFor(node, method)) {
      result.kind = RouteMatch::Kind::kFound;
      result.handler = h;
      result.route = node.pattern;
      result.params = zipParams(node.param_names, values);
      return true;
    }
    if (result.route.empty()) result.route = node.pattern;
    for (const auto& [verb, handler] : node.handlers) {
      allowed.push_back(verb);
      if (verb == http::verb::get) allowed.push_back(http::verb::head);
    }
    return false;
  };
  Walker walker(segments, eligible);
  if (walker.walk(*root_, 0, visit)) return result;
  if (allowed.empty()) {
    result.route = {};
    const bool routes_own_it =
        websocket_path || (!segments.empty() && root_->literals.contains(segments[0]));
    if (fallback_ && !routes_own_it) {
      result.kind = RouteMatch::Kind::kFound;
      result.handler = &fallback_->handler;
      result.route = fallback_->label;
    }
    return result;
  }
  std::vector<std::string_view> names;
  for (http::verb v : allowed) names.push_back(verbName(v));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (std::string_view n : names) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += n;
  }
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  return result;
}

RouteMatch Router::matchWebSocket(std::string_view path) const {
  RouteMatch result;
  std::vector<std::string> segments;
  std::vector<bool> eligible;
  if (!decodePath(path, segments, eligible)) {
    result.kind = RouteMatch::Kind::kInvalidPath;
    return result;
  }
  auto visit = [&](const Node& node, const std::vector<std::string>& values) {
    if (!node.websocket) return false;
    result.kind = RouteMatch::Kind::kFound;
    result.websocket = node.websocket.get();
    result.route = node.pattern;
    result.params = zipParams(node.param_names, values);
    return true;
  };
  Walker walker(segments, eligible);
  walker.walk(*root_, 0, visit);
  return result;
}

std::optional<std::string> percentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string findParam(const PathParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

std::string RequestContext::param(std::string_view name) const {
  return findParam(params, name);
}

std::string WebSocketContext::param(std::string_view name) const {
  return findParam(params, name);
}

std::optional<std::string> RequestContext::queryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    auto key = percentDecode(pair.substr(0, eq), true);
    if (!key || *key != name) continue;
    auto value = percentDecode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!value || value->find('\0') != std::string::npos) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

}  // namespace sb::api
