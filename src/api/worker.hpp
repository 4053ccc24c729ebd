#pragma once
// Runs blocking work (Argon2id, SQLite) on a worker pool and resumes the calling
// coroutine on its own executor: the event loop never waits on a disk or a hash.
#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sb::api {

template <typename F>
auto onWorker(boost::asio::thread_pool& pool, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  std::optional<R> out;
  std::exception_ptr failure;
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      [&](auto handler) {
        boost::asio::post(pool, [&out, &f, &failure, handler = std::move(handler)]() mutable {
          try {
            out.emplace(f());
          } catch (...) {
            failure = std::current_exception();  // rethrown in the coroutine: a 500, not a crash
          }
          auto ex = boost::asio::get_associated_executor(handler);
          boost::asio::dispatch(ex, std::move(handler));
        });
      },
      boost::asio::use_awaitable);
  if (failure) std::rethrow_exception(failure);
  co_return std::move(*out);
}

}  // namespace sb::api
