#include "hookserver/hook_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <httplib.h>

#include "common/environment.hpp"
#include "common/ready_line.hpp"

namespace livegui {
namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, bool degraded = false) {
  send_json(res, status, {{"error", message}, {"degraded", degraded}});
}

/// Parses a JSON object body and fetches the string field "id"; on failure
/// replies 400 naming the field and returns false.
bool parse_action_body(const httplib::Request& req, httplib::Response& res, json& body, std::string& id) {
  body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    send_error(res, 400, "request body is not a JSON object");
    return false;
  }
  auto it = body.find("id");
  if (it == body.end() || !it->is_string()) {
    send_error(res, 400, "field \"id\" is missing or not a string");
    return false;
  }
  id = it->get<std::string>();
  return true;
}

int parse_port(const char* value, const char* name) {
  char* end = nullptr;
  long port = std::strtol(value, &end, 10);
  if (*value == '\0' || *end != '\0' || port < 0 || port > 65535)
    throw std::invalid_argument(std::string(name) + "='" + value + "' is not a port number (0-65535)");
  return static_cast<int>(port);
}

/// Why binding failed, asked of the kernel with the same address.
std::string bind_failure_reason(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  std::string why = "unknown reason";
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) why = std::strerror(errno);
  ::close(fd);
  return why;
}

}  // namespace

bool constant_time_equals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (std::size_t i = 0; i < longer.size(); ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

HookServerOptions HookServerOptions::from_env(std::string app_name) {
  HookServerOptions opt;
  opt.app_name = std::move(app_name);
  if (const char* port = std::getenv(env::kHookPort); port && *port) opt.port = parse_port(port, env::kHookPort);
  if (const char* token = std::getenv(env::kHookToken)) opt.token = token;
  if (const char* file = std::getenv(env::kHookPortFile)) opt.port_file = file;
  return opt;
}

HookServer::HookServer(HookServerOptions options)
    : options_(std::move(options)),
      heartbeat_(options_.heartbeat_threshold, options_.action_timeout),
      actions_(heartbeat_),
      http_(std::make_unique<httplib::Server>()) {}

HookServer::~HookServer() {
  try {
    stop();
  } catch (...) {}
}

void HookServer::on_click(const std::string& id, std::function<void()> handler) { clicks_[id] = std::move(handler); }
void HookServer::on_set(const std::string& id, std::function<void(const json&)> handler) {
  sets_[id] = std::move(handler);
}
void HookServer::on_screenshot(std::function<std::string()> handler) { screenshot_ = std::move(handler); }
void HookServer::on_fault(std::function<FaultTrigger(const json&)> handler) { fault_ = std::move(handler); }
void HookServer::on_shutdown(std::function<void()> handler) { shutdown_ = std::move(handler); }

void HookServer::publish_state(json state) {
  std::lock_guard lock(state_mutex_);
  state_ = std::move(state);
}

void HookServer::frame() {
  heartbeat_.beat();
  if (!state_provider_) {
    actions_.drain();
    return;
  }
  actions_.drain([this] { publish_state(state_provider_()); });
}

void HookServer::main_loop_stopped(const std::string& reason) {
  heartbeat_.mark_loop_stopped(reason);
  actions_.fail_pending("main loop not running: " + reason);
}

json HookServer::health_json() const {
  auto reasons = heartbeat_.reasons();
  return {{"protocol_version", kHookProtocolVersion},
          {"app", options_.app_name},
          {"status", reasons.empty() ? "ok" : "degraded"},
          {"pid", static_cast<long long>(::getpid())},
          {"frame", heartbeat_.frame()},
          {"last_frame_age_ms", static_cast<long long>(heartbeat_.age().count())},
          {"busy_ms", static_cast<long long>(heartbeat_.busy_for().count())},
          {"reasons", reasons}};
}

void HookServer::reply_outcome(const ActionOutcome& outcome, void* response) const {
  auto& res = *static_cast<httplib::Response*>(response);
  if (outcome.status == 200 && !outcome.binary.empty()) {
    res.status = 200;
    res.set_content(outcome.binary, "image/png");
    return;
  }
  send_json(res, outcome.status, outcome.body);
}

void HookServer::install_routes() {
  auto& svr = *http_;
  svr.set_default_headers({{"X-Livegui-Protocol", std::to_string(kHookProtocolVersion)}});

  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // httplib does not apply the payload limit to chunked bodies; the
    // protocol's bodies are small JSON with a Content-Length.
    if (req.has_header("Transfer-Encoding")) {
      send_error(res, 411, "chunked request bodies are not accepted; send a Content-Length");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (options_.token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (constant_time_equals(req.get_header_value("X-Livegui-Token"), options_.token))
      return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 401, "missing or wrong X-Livegui-Token");
    return httplib::Server::HandlerResponse::Handled;
  });

  svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const ActionError& e) {
      return send_error(res, e.status(), e.what(), e.degraded());
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {}
    send_error(res, 500, "handler for " + req.method + " " + req.path + " threw: " + what);
  });

  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a route already wrote its JSON error
    if (res.status == 404)
      send_error(res, 404, "no route " + req.method + " " + req.path);
    else if (res.status == 400)
      send_error(res, 400, "malformed HTTP request to " + req.path);
    else
      send_error(res, res.status, "HTTP error " + std::to_string(res.status) + " for " + req.path);
  });

  svr.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    json body = health_json();
    send_json(res, body["status"] == "ok" ? 200 : 503, body);
  });

  svr.Get("/state", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(state_mutex_);
    send_json(res, 200, state_);
  });

  svr.Get("/value", [this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("id")) return send_error(res, 400, "query parameter \"id\" is missing");
    std::string id = req.get_param_value("id");
    std::lock_guard lock(state_mutex_);
    auto values = state_.find("values");
    if (values == state_.end() || !values->is_object() || !values->contains(id))
      return send_error(res, 404, "no value with id '" + id + "'");
    send_json(res, 200, {{"id", id}, {"value", (*values)[id]}});
  });

  svr.Post("/click", [this](const httplib::Request& req, httplib::Response& res) {
    json body;
    std::string id;
    if (!parse_action_body(req, res, body, id)) return;
    auto it = clicks_.find(id);
    if (it == clicks_.end()) return send_error(res, 404, "no clickable widget with id '" + id + "'");
    auto handler = it->second;
    auto outcome = actions_.run(
        [handler] {
          handler();
          return json::object();
        },
        options_.action_timeout);
    reply_outcome(outcome, &res);
  });

  svr.Post("/set", [this](const httplib::Request& req, httplib::Response& res) {
    json body;
    std::string id;
    if (!parse_action_body(req, res, body, id)) return;
    if (!body.contains("value")) return send_error(res, 400, "field \"value\" is missing");
    auto it = sets_.find(id);
    if (it == sets_.end()) return send_error(res, 404, "no settable widget with id '" + id + "'");
    auto handler = it->second;
    json value = body["value"];
    auto outcome = actions_.run(
        [handler, value] {
          handler(value);
          return json::object();
        },
        options_.action_timeout);
    reply_outcome(outcome, &res);
  });

  svr.Get("/screenshot", [this](const httplib::Request&, httplib::Response& res) {
    if (!screenshot_) return send_error(res, 501, "this app does not take screenshots");
    auto outcome = actions_.run_binary(screenshot_, options_.action_timeout);
    reply_outcome(outcome, &res);
  });

  svr.Post("/shutdown", [this](const httplib::Request&, httplib::Response& res) {
    if (!shutdown_) return send_error(res, 501, "this app cannot be shut down over the hook");
    shutdown_();
    actions_.wake();
    send_json(res, 202, {{"ok", true}});
  });

  svr.Post("/debug/fault", [this](const httplib::Request& req, httplib::Response& res) {
    if (!fault_) return send_error(res, 404, "fault injection is not enabled in this app");
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return send_error(res, 400, "request body is not a JSON object");
    if (!body.contains("kind") || !body["kind"].is_string())
      return send_error(res, 400, "field \"kind\" is missing or not a string");
    FaultTrigger trigger = fault_(body);  // may throw ActionError for an unknown kind
    // No trigger: the handler applied the fault before this reply.
    auto reply =
        std::make_shared<std::string>(json{{"ok", true}, {"scheduled", body["kind"]}, {"applied", !trigger}}.dump());
    res.status = 202;
    res.set_content_provider(
        reply->size(), "application/json",
        [reply](size_t offset, size_t length, httplib::DataSink& sink) {
          return sink.write(reply->data() + offset, length);
        },
        [trigger](bool) {
          if (trigger) trigger();  // the reply is out (or the client left)
        });
  });

  // Known routes with the wrong method: 405, not 404.
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 405, "method " + req.method + " not allowed for " + req.path);
  };
  for (const char* path : {"/health", "/state", "/value", "/screenshot"}) svr.Post(path, not_allowed);
  for (const char* path : {"/click", "/set", "/shutdown", "/debug/fault"}) svr.Get(path, not_allowed);
}

int HookServer::start() {
  if (thread_.joinable()) return port_;
  auto& svr = *http_;
  svr.set_tcp_nodelay(true);  // else each kept-alive reply waits ~40 ms for a delayed ACK
  // httplib's default adds SO_REUSEPORT, which lets a second app bind the same
  // fixed port and silently share it. Only allow rebinding after TIME_WAIT.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.set_payload_max_length(options_.max_body_bytes);
  svr.set_read_timeout(std::chrono::seconds(5));
  svr.set_write_timeout(std::chrono::seconds(5));
  // Idle kept-alive connections hold a worker until this expires, and stop()
  // waits for the workers: keep it short so shutdown is quick.
  svr.set_keep_alive_timeout(1);
  svr.set_keep_alive_max_count(1'000'000);
  int threads = options_.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  install_routes();

  const std::string host = "127.0.0.1";  // loopback only, by design
  if (options_.port == 0) {
    port_ = svr.bind_to_any_port(host);
    if (port_ <= 0) throw HookServerError("hook server: cannot bind " + host + " on any port");
  } else {
    if (!svr.bind_to_port(host, options_.port))
      throw HookServerError("hook server: cannot bind " + host + ":" + std::to_string(options_.port) + ": " +
                            bind_failure_reason(options_.port));
    port_ = options_.port;
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // httplib's stop() is a no-op until the listen loop runs (httplib #1371), so
  // a stop() right after start() would join forever: wait for it (bounded).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::unique_lock lock(start_mutex_);
  while (!http_->is_running() && std::chrono::steady_clock::now() < deadline)
    start_cv_.wait_for(lock, std::chrono::microseconds(200));  // nothing signals it: short back-off
  if (!http_->is_running()) throw HookServerError("hook server: the listen thread did not start within 5 s");
  return port_;
}

void HookServer::announce() {
  // The port file first: whoever saw the ready line may read it at once
  // (docs/hook-protocol.md, section 1).
  write_port_file();
  std::printf("%sport=%d pid=%d protocol=%d\n", kReadyLinePrefix, port_, static_cast<int>(::getpid()),
              kHookProtocolVersion);
  std::fflush(stdout);
}

void HookServer::write_port_file() {
  if (options_.port_file.empty()) return;
  namespace fs = std::filesystem;
  fs::path target(options_.port_file);
  fs::path tmp = target;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port_ << "\n";
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) std::fprintf(stderr, "hook server: cannot write port file %s: %s\n", target.c_str(), ec.message().c_str());
}

void HookServer::stop() {
  if (!thread_.joinable()) return;
  actions_.fail_pending("the app is shutting down");
  http_->stop();
  thread_.join();
}

}  // namespace livegui
