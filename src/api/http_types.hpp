#pragma once
// The HTTP message and WebSocket types every api file shares. Only the WebSocket stream's
// forward declaration is pulled in: its implementation is the slowest Beast header to
// compile, and only code that drives a WebSocket needs it (include
// <boost/beast/websocket/stream.hpp> there).
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream_fwd.hpp>

namespace sb::api {

namespace http = boost::beast::http;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;

}  // namespace sb::api
