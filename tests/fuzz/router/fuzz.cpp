// Request paths through the router and the percent-decoder: any bytes must match,
// miss or be refused, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "api/router.hpp"

namespace {

sb::api::Router& router() {
  static sb::api::Router r = [] {
    sb::api::Router r;
    auto h = [](sb::api::RequestContext&) -> boost::asio::awaitable<sb::api::HttpResponse> { co_return sb::api::HttpResponse{}; };
    r.add(boost::beast::http::verb::get, "/api/v1/me", h);
    r.add(boost::beast::http::verb::patch, "/api/v1/admin/agents/{id}", h);
    r.add(boost::beast::http::verb::post, "/api/v1/admin/agents/{id}/password-reset", h);
    r.add(boost::beast::http::verb::get, "/static/{path...}", h);
    return r;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view path(reinterpret_cast<const char*>(data), size);
  (void)router().match(boost::beast::http::verb::get, path);
  (void)router().match(boost::beast::http::verb::patch, path);
  (void)router().matchWebSocket(path);
  (void)sb::api::percentDecode(path, true);
  return 0;
}
