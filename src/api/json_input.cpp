#include "api/json_input.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "core/utf8.hpp"

namespace sb::api {

JsonInput JsonInput::parse(std::string_view body) {
  JsonInput in;
  boost::json::parse_options opts;
  opts.max_depth = 16;  // our bodies are flat; deep nesting is an attack
  boost::system::error_code ec;
  in.root_ = boost::json::parse(body, ec, {}, opts);
  if (ec) {
    in.problems_.push_back("the body is not valid JSON");
  } else if (!in.root_.is_object()) {
    in.problems_.push_back("the body must be a JSON object");
  }
  return in;
}

std::string JsonInput::describeProblems() const {
  std::string out;
  for (size_t i = 0; i < problems_.size(); ++i) {
    if (i) out += "; ";
    out += problems_[i];
  }
  if (!out.empty()) {
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    out += '.';
  }
  return out;
}

const boost::json::value* JsonInput::field(std::string_view key, bool required) {
  known_.emplace_back(key);
  if (!root_.is_object()) return nullptr;
  const auto& obj = root_.get_object();
  auto it = obj.find(key);
  if (it == obj.end() || (it->value().is_null() && !required)) {
    if (required) problems_.push_back("'" + name(key) + "' is required");
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> JsonInput::checkString(std::string_view key, const boost::json::value& v,
                                                  size_t max_chars, bool allow_control) {
  if (!v.is_string()) {
    problems_.push_back("'" + name(key) + "' must be a string");
    return std::nullopt;
  }
  std::string s(v.get_string());
  auto len = core::utf8Length(s);
  if (!len) {
    problems_.push_back("'" + name(key) + "' is not valid UTF-8");
    return std::nullopt;
  }
  if (*len > max_chars) {
    problems_.push_back("'" + name(key) + "' must have at most " + std::to_string(max_chars) +
                        " characters");
    return std::nullopt;
  }
  if (!allow_control && core::hasControlCharacters(s)) {
    problems_.push_back("'" + name(key) + "' must not contain control characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> JsonInput::requiredString(std::string_view key, size_t max_chars,
                                                     bool allow_control) {
  const auto* v = field(key, true);
  if (!v) return std::nullopt;
  return checkString(key, *v, max_chars, allow_control);
}

std::optional<std::string> JsonInput::optionalString(std::string_view key, size_t max_chars,
                                                     bool allow_control) {
  const auto* v = field(key, false);
  if (!v) return std::nullopt;
  return checkString(key, *v, max_chars, allow_control);
}

std::optional<bool> JsonInput::optionalBool(std::string_view key) {
  const auto* v = field(key, false);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    problems_.push_back("'" + name(key) + "' must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<std::vector<std::string>> JsonInput::optionalStringArray(std::string_view key,
                                                                       size_t max_items,
                                                                       size_t max_chars) {
  const auto* v = field(key, false);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    problems_.push_back("'" + name(key) + "' must be an array of strings");
    return std::nullopt;
  }
  const auto& arr = v->get_array();
  if (arr.size() > max_items) {
    problems_.push_back("'" + name(key) + "' must have at most " + std::to_string(max_items) +
                        " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : arr) {
    auto s = checkString(key, item, max_chars, false);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

bool JsonInput::has(std::string_view key) const {
  if (!root_.is_object()) return false;
  const auto* v = root_.get_object().if_contains(key);
  return v != nullptr && !v->is_null();
}

std::string JsonInput::name(std::string_view key) const {
  return prefix_ + std::string(key);
}

std::optional<std::int64_t> JsonInput::requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto* v = field(key, true);
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    n = static_cast<std::int64_t>(v->get_uint64());
  }
  if (!n || *n < min || *n > max) {
    problems_.push_back("'" + name(key) + "' must be a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<JsonInput> JsonInput::optionalObject(std::string_view key) {
  const auto* v = field(key, false);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    problems_.push_back("'" + name(key) + "' must be an object");
    return std::nullopt;
  }
  JsonInput child;
  child.root_ = *v;
  child.prefix_ = name(key) + ".";
  return child;
}

void JsonInput::addProblem(std::string_view key, std::string_view what) {
  problems_.push_back("'" + name(key) + "' " + std::string(what));
}

void JsonInput::adopt(const JsonInput& child) {
  problems_.insert(problems_.end(), child.problems_.begin(), child.problems_.end());
}

void JsonInput::rejectUnknownFields() {
  if (!root_.is_object()) return;
  for (const auto& kv : root_.get_object()) {
    if (std::find(known_.begin(), known_.end(), std::string_view(kv.key())) == known_.end()) {
      problems_.push_back("unknown field '" + prefix_ + std::string(kv.key().substr(0, 64)) + "'");
    }
  }
}

}  // namespace sb::api
