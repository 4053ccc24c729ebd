#pragma once
// Strict reading of untrusted JSON request bodies: the body must be one object, every
// field has the type it should, required fields are present, and a field we do not know
// is an error (a typo in "enabled" must not be silently ignored). Problems are collected
// so the client hears about all of them at once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace sb::api {

class JsonInput {
 public:
  // Parses `body`; depth and size are bounded by Boost.JSON's parse options we set.
  static JsonInput parse(std::string_view body);

  bool valid() const { return problems_.empty(); }
  const std::vector<std::string>& problems() const { return problems_; }
  std::string describeProblems() const;  // one sentence listing every problem

  // Each getter records the field as known; `max_chars` counts Unicode characters.
  std::optional<std::string> requiredString(std::string_view key, size_t max_chars,
                                            bool allow_control = false);
  std::optional<std::string> optionalString(std::string_view key, size_t max_chars,
                                            bool allow_control = false);
  std::optional<bool> optionalBool(std::string_view key);
  std::optional<std::vector<std::string>> optionalStringArray(std::string_view key,
                                                              size_t max_items, size_t max_chars);
  bool has(std::string_view key) const;  // present and not null
  std::optional<std::int64_t> requiredInteger(std::string_view key, std::int64_t min, std::int64_t max);
  // A nested object, read with its own getters (problems name it "key.field"); hand the
  // child back to adopt() once read, so its problems count here.
  std::optional<JsonInput> optionalObject(std::string_view key);
  void adopt(const JsonInput& child);
  // A problem the caller found in a field it read: "'<key>' <what>".
  void addProblem(std::string_view key, std::string_view what);
  // Call last: every field not asked for is reported as unknown.
  void rejectUnknownFields();

 private:
  const boost::json::value* field(std::string_view key, bool required);
  std::string name(std::string_view key) const;  // as problems name it
  std::optional<std::string> checkString(std::string_view key, const boost::json::value& v,
                                         size_t max_chars, bool allow_control);
  boost::json::value root_;
  std::vector<std::string> known_;
  std::vector<std::string> problems_;
  std::string prefix_;  // of a nested object: "note."
};

}  // namespace sb::api
