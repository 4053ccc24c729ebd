#pragma once
// Result<T>: the value of an operation that can fail for expected reasons (bad input,
// a missing record, a busy disk). Broken invariants use SB_CHECK instead.
#include <cassert>
#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace sb::core {

enum class ErrorCode {
  kInvalidInput,      // the caller's input is malformed or out of range
  kNotFound,          // no such record (in the caller's scope)
  kConflict,          // a unique key or a state rule forbids it
  kUnauthenticated,   // credentials or token wrong
  kForbidden,         // authenticated but not allowed
  kTooManyRequests,   // throttled; retry later
  kUnavailable,       // a resource is exhausted or busy (retryable)
  kStorage,           // the database failed
  kInternal,          // a bug: should not happen
};

const char* toString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // For kTooManyRequests / kUnavailable: when the caller may try again (0: unknown).
  std::chrono::seconds retry_after{0};
};

inline Error makeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}       // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> okResult() { return {}; }

}  // namespace sb::core
