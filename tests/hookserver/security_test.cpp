// Security of the hook server (issue 7, docs/hook-protocol.md §1, §4): it is
// reachable on loopback only, token auth refuses every near miss with 401 and
// runs no handler, the token never shows in replies or in what the app
// prints, and oversized requests are refused without hurting the server.

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "hookserver/hook_server.hpp"
#include "tests/sample_app/http.hpp"
#include "tests/support/app_launch.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// ---- sockets ----------------------------------------------------------------

/// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

/// One address of this machine, with the port filled in later.
struct Endpoint {
  std::string shown;  ///< "192.168.1.4 (eth0)"
  sockaddr_storage addr{};
  socklen_t len = 0;
  void set_port(int port) {
    if (addr.ss_family == AF_INET)
      reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(static_cast<uint16_t>(port));
    else
      reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(static_cast<uint16_t>(port));
  }
};

Endpoint loopback_v4(int port) {
  Endpoint e;
  auto* in = reinterpret_cast<sockaddr_in*>(&e.addr);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  e.len = sizeof(sockaddr_in);
  e.shown = "127.0.0.1";
  e.set_port(port);
  return e;
}

/// The non-loopback addresses of the interfaces that are up (IPv4 first).
std::vector<Endpoint> non_loopback_endpoints() {
  std::vector<Endpoint> v4, v6;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    Endpoint e;
    char text[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
      std::memcpy(&e.addr, in, sizeof *in);
      e.len = sizeof *in;
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      e.shown = std::string(text) + " (" + i->ifa_name + ")";
      v4.push_back(e);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) continue;
      std::memcpy(&e.addr, in6, sizeof *in6);  // keeps sin6_scope_id for link-local addresses
      e.len = sizeof *in6;
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      e.shown = std::string(text) + " (" + i->ifa_name + ")";
      v6.push_back(e);
    }
  }
  ::freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

/// Connects with a bounded wait. An invalid Fd when refused or timed out (`why` says which).
Fd connect_within(const Endpoint& to, std::chrono::milliseconds timeout, std::string* why = nullptr) {
  Fd fd(::socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return Fd();
  };
  if (!fd.valid()) return fail(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to.addr), to.len) == 0) return fd;
  if (errno != EINPROGRESS) return fail(std::strerror(errno));
  pollfd p{fd.get(), POLLOUT, 0};
  int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (n == 0) return fail("no answer within " + std::to_string(timeout.count()) + " ms");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return fail(std::strerror(err));
  return fd;
}

/// Sends `request` on a fresh loopback connection and returns what the server
/// sent back until it closed the connection or `timeout` passed. (No
/// half-close after sending: httplib then drops the connection unanswered.)
std::string raw_exchange(int port, const std::string& request, std::chrono::milliseconds timeout = 10s) {
  std::string why;
  Fd fd = connect_within(loopback_v4(port), 2s, &why);
  if (!fd.valid()) return "(connect failed: " + why + ")";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t sent = 0;
  std::string reply;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    short events = POLLIN | (sent < request.size() ? POLLOUT : 0);
    pollfd p{fd.get(), events, 0};
    if (::poll(&p, 1, 50) < 0 && errno != EINTR) break;
    if (p.revents & POLLIN) {
      ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n <= 0) break;  // closed (or reset) by the server
      reply.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (p.revents & (POLLERR | POLLHUP)) break;
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) sent = request.size();  // the server stopped reading
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
  }
  return reply;
}

/// The status code of the first response in `raw` ("HTTP/1.1 413 …"), 0 when none.
int status_of(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.c_str() + 9);
}

std::string random_token() {
  std::random_device rd;
  std::string t;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) t += hex[rd() % 16];
  return t;
}

/// True when `text` contains the token or any 12-character piece of it.
bool leaks(const std::string& text, const std::string& token) {
  for (std::size_t i = 0; i + 12 <= token.size(); ++i)
    if (text.find(token.substr(i, 12)) != std::string::npos) return true;
  return false;
}

// ---- a HookServer with a GUI thread ------------------------------------------

class HookServerSecurity : public ::testing::Test {
 protected:
  void start(HookServerOptions opt = {}) {
    opt.app_name = "security_test";
    server_ = std::make_unique<HookServer>(opt);
    server_->on_click("inc", [this] { ++clicks_; });
    server_->on_set("name", [this](const json&) { ++sets_; });
    server_->on_fault([this](const json&) -> HookServer::FaultTrigger {
      ++faults_;  // the handler ran at all (not just its trigger)
      return {};
    });
    server_->on_shutdown([this] { ++shutdowns_; });
    server_->on_state([this] { return json{{"values", {{"counter", clicks_.load()}}}}; });
    port_ = server_->start();
    gui_ = std::thread([this] {
      while (!quit_) {
        server_->frame();
        server_->wait_for_work(2ms);
      }
    });
    // Served once = the accept loop runs. Also keeps TearDown's stop() clear of
    // httplib 0.11's stop-before-listen race (stop() then never returns).
    auto first = client(opt.token.empty() ? std::nullopt : std::optional<std::string>(opt.token))->Get("/health");
    ASSERT_TRUE(first) << "the hook server did not answer its first request: " << httplib::to_string(first.error());
  }
  void TearDown() override {
    quit_ = true;
    if (gui_.joinable()) gui_.join();
    if (server_) server_->stop();
  }
  std::unique_ptr<httplib::Client> client(const std::optional<std::string>& token = std::nullopt) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_connection_timeout(2s);
    c->set_read_timeout(5s);
    c->set_write_timeout(5s);
    if (token) c->set_default_headers({{"X-Livegui-Token", *token}});
    return c;
  }
  int side_effects() const { return clicks_ + sets_ + faults_ + shutdowns_; }

  std::unique_ptr<HookServer> server_;
  std::thread gui_;
  std::atomic<bool> quit_{false};
  std::atomic<int> clicks_{0}, sets_{0}, faults_{0}, shutdowns_{0};
  int port_ = 0;
};

// ---- loopback only -------------------------------------------------------------

TEST_F(HookServerSecurity, IsNotReachableOnNonLoopbackAddresses) {
  ASSERT_NO_FATAL_FAILURE(start());
  std::string why;
  ASSERT_TRUE(connect_within(loopback_v4(port_), 2s, &why).valid()) << "127.0.0.1:" << port_ << ": " << why;

  std::vector<Endpoint> addresses = non_loopback_endpoints();
  bool any_v4 = false;
  for (const auto& a : addresses) any_v4 |= a.addr.ss_family == AF_INET;
  if (!any_v4) GTEST_SKIP() << "this machine has no non-loopback IPv4 address to probe";

  int probed = 0;
  std::string unprovable;
  for (Endpoint a : addresses) {
    // Control: a socket bound to the wildcard address answers on `a`; else a
    // refusal there would prove nothing (firewall, address not routable).
    Fd control(::socket(a.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(control.valid()) << std::strerror(errno);
    Endpoint any = a;
    if (a.addr.ss_family == AF_INET)
      reinterpret_cast<sockaddr_in*>(&any.addr)->sin_addr.s_addr = htonl(INADDR_ANY);
    else
      reinterpret_cast<sockaddr_in6*>(&any.addr)->sin6_addr = in6addr_any;
    any.set_port(0);
    ASSERT_EQ(::bind(control.get(), reinterpret_cast<sockaddr*>(&any.addr), any.len), 0) << std::strerror(errno);
    ASSERT_EQ(::listen(control.get(), 4), 0) << std::strerror(errno);
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(control.get(), reinterpret_cast<sockaddr*>(&bound), &bound_len);
    a.set_port(ntohs(a.addr.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                                 : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port));
    if (!connect_within(a, 1s, &why).valid()) {
      unprovable += " " + a.shown + " (control: " + why + ")";
      continue;
    }
    a.set_port(port_);
    Fd probe = connect_within(a, 1s, &why);
    EXPECT_FALSE(probe.valid()) << "the hook server answered on " << a.shown << " port " << port_;
    ++probed;
  }
  if (probed == 0) GTEST_SKIP() << "no non-loopback address answered even a wildcard listener:" << unprovable;
}

TEST_F(HookServerSecurity, ProcNetTcpShowsTheListenerBoundTo127001Only) {
  ASSERT_NO_FATAL_FAILURE(start());
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", port_);
  auto listeners = [&](const char* file) {
    std::vector<std::string> out;  // local addresses of LISTEN (0A) sockets on our port
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      auto colon = local.rfind(':');
      if (state == "0A" && colon != std::string::npos && local.substr(colon + 1) == port_hex)
        out.push_back(local.substr(0, colon));
    }
    return out;
  };
  // /proc/net/tcp prints the address as a host-order hex word: 127.0.0.1 is 0100007F.
  EXPECT_EQ(listeners("/proc/net/tcp"), std::vector<std::string>{"0100007F"});
  EXPECT_TRUE(listeners("/proc/net/tcp6").empty());
}

// ---- token authentication ---------------------------------------------------------

TEST(HookServerSecurityToken, ConstantTimeEqualsAcceptsOnlyTheExactString) {
  EXPECT_TRUE(constant_time_equals("s3cret", "s3cret"));
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_FALSE(constant_time_equals("s3cret", "s3creT"));
  EXPECT_FALSE(constant_time_equals("s3cret", "s3cre"));
  EXPECT_FALSE(constant_time_equals("s3cre", "s3cret"));
  EXPECT_FALSE(constant_time_equals("s3cret", ""));
  EXPECT_FALSE(constant_time_equals("", "s3cret"));
  EXPECT_FALSE(constant_time_equals(std::string("s3cret\0", 7), "s3cret"));
}

TEST_F(HookServerSecurity, RejectsMissingAndNearMissTokensWith401AndRunsNoHandler) {
  const std::string token = random_token();
  HookServerOptions opt;
  opt.token = token;
  ASSERT_NO_FATAL_FAILURE(start(opt));

  std::vector<std::pair<std::string, std::optional<std::string>>> wrong = {
      {"no header", std::nullopt},
      {"empty token", ""},
      {"another token", random_token()},
      {"last byte differs", token.substr(0, token.size() - 1) + (token.back() == 'a' ? 'b' : 'a')},
      {"first byte differs", (token.front() == 'a' ? "b" : "a") + token.substr(1)},
      {"prefix (one byte short)", token.substr(0, token.size() - 1)},
      {"half of it", token.substr(0, token.size() / 2)},
      {"one byte longer", token + "0"},
      {"upper case",
       [&] {
         std::string t = token;
         for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         return t == token ? token + "X" : t;
       }()},
  };
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/health"},     {"GET", "/state"},        {"GET", "/value?id=counter"},
      {"GET", "/screenshot"}, {"POST", "/click"},       {"POST", "/set"},
      {"POST", "/shutdown"},  {"POST", "/debug/fault"}, {"GET", "/no/such/route"}};
  const std::map<std::string, std::string> bodies = {
      {"/click", R"({"id":"inc"})"}, {"/set", R"({"id":"name","value":"x"})"}, {"/debug/fault", R"({"kind":"crash"})"}};
  for (const auto& [label, value] : wrong) {
    auto c = client(value);
    for (const auto& [method, path] : routes) {
      SCOPED_TRACE(label + ": " + method + " " + path);
      auto body = bodies.count(path) ? bodies.at(path) : std::string("{}");
      auto res = method == "GET" ? c->Get(path) : c->Post(path, body, "application/json");
      ASSERT_TRUE(res) << httplib::to_string(res.error());
      EXPECT_EQ(res->status, 401) << res->body;
      json j = json::parse(res->body, nullptr, false);
      EXPECT_EQ(j, (json{{"error", "missing or wrong X-Livegui-Token"}, {"degraded", false}})) << res->body;
      EXPECT_EQ(res->get_header_value("X-Livegui-Protocol"), "1");
    }
  }
  EXPECT_EQ(side_effects(), 0) << "a handler ran for an unauthenticated request";

  // The right token opens every door (header names are case-insensitive in HTTP).
  auto right = client(token);
  auto health = right->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  auto click = right->Post("/click", R"({"id":"inc"})", "application/json");
  ASSERT_TRUE(click);
  EXPECT_EQ(click->status, 200) << click->body;
  EXPECT_EQ(clicks_, 1);
  httplib::Headers lower = {{"x-livegui-token", token}};
  auto state = client()->Get("/state", lower);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, 200) << state->body;
}

TEST_F(HookServerSecurity, NoReplyCarriesTheToken) {
  const std::string token = random_token();
  HookServerOptions opt;
  opt.token = token;
  opt.max_body_bytes = 1024;
  ASSERT_NO_FATAL_FAILURE(start(opt));
  auto right = client(token);
  std::vector<httplib::Result> results;
  results.push_back(client()->Get("/health"));
  results.push_back(client(token.substr(0, 31))->Get("/health"));
  results.push_back(right->Get("/health"));
  results.push_back(right->Get("/state"));
  results.push_back(right->Get("/value?id=nope"));  // 404
  results.push_back(right->Post("/click", R"({"id":"nope"})", "application/json"));
  results.push_back(right->Post("/click", "not json", "application/json"));
  results.push_back(right->Post("/health", "", "application/json"));  // 405
  results.push_back(right->Get("/nope"));
  results.push_back(right->Post("/set", std::string(2048, ' '), "application/json"));  // 413
  int answered = 0;
  for (const auto& res : results) {
    if (!res) continue;
    ++answered;
    std::string everything = res->body;
    for (const auto& [k, v] : res->headers) everything += k + ": " + v + "\n";
    EXPECT_FALSE(leaks(everything, token)) << res->status << " reply carries the token:\n" << everything;
  }
  EXPECT_GE(answered, 9);
}

TEST(HookServerSecurityApp, SampleAppNeverPrintsItsToken) {
  using namespace livegui::test_support;
  TempDir dir("hook-security");
  const std::string token = random_token();
  // Everything it can log, logged: trace level, refused and bad requests, a degraded app.
  LaunchedApp app = launch_sample_app({"--headless", "--enable-faults"}, dir / "app.log",
                                      {{"LIVEGUI_HOOK_TOKEN", token}, {"SPDLOG_LEVEL", "trace"}});
  pid_t pgid = app.process.pgid();
  PlainHttp authed(app.port, token);
  EXPECT_EQ(PlainHttp(app.port).get("/health").status, 401);
  EXPECT_EQ(PlainHttp(app.port, token.substr(0, 31) + "x").get("/health").status, 401);
  EXPECT_EQ(authed.get("/health").status, 200);
  EXPECT_EQ(authed.post("/click", {{"id", "increment"}}).status, 200);
  EXPECT_EQ(authed.post("/set", {{"id", "name"}, {"value", 5}}).status, 400);
  EXPECT_EQ(authed.post("/debug/fault", {{"kind", "assert"}}).status, 202);
  EXPECT_TRUE(eventually([&] { return authed.get("/health").status == 503; })) << "the assert fault never fired";
  EXPECT_EQ(authed.post("/click", {{"id", "increment"}}).status, 503);
  EXPECT_EQ(authed.post("/shutdown", json::object()).status, 202);
  auto exited = app.process.wait_for(10s);
  if (!exited) app.process.stop(2s, 2s);
  EXPECT_TRUE(exited && exited->success()) << (exited ? exited->describe() : "still running after 10 s");

  std::ifstream in(app.log);
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(log.find("LIVEGUI_HOOK_READY"), std::string::npos) << "the app's output was not captured:\n" << log;
  ASSERT_NE(log.find("assert"), std::string::npos) << "the app did not log its degradation:\n" << log;
  EXPECT_FALSE(leaks(log, token)) << "the app printed (part of) its token:\n" << log;
  auto left = leftover_processes({pgid});
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

// ---- resource limits ---------------------------------------------------------------

TEST_F(HookServerSecurity, RefusesBodiesLargerThanMaxBodyBytesAndKeepsServing) {
  HookServerOptions opt;
  opt.max_body_bytes = 4096;
  ASSERT_NO_FATAL_FAILURE(start(opt));
  auto c = client();

  // At the limit: an ordinary request.
  const std::string head = R"({"id":"name","value":")", tail = R"("})";
  std::string fits = head + std::string(4096 - head.size() - tail.size(), 'x') + tail;
  auto ok = c->Post("/set", fits, "application/json");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(sets_, 1);

  // One byte over, sent in full.
  std::string over = head + std::string(4097 - head.size() - tail.size(), 'x') + tail;
  std::string raw = raw_exchange(port_,
                                 "POST /set HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                 "Content-Length: " +
                                     std::to_string(over.size()) + "\r\nConnection: close\r\n\r\n" + over);
  EXPECT_EQ(status_of(raw), 413) << raw;

  // A length the server must not try to allocate: it discards what comes
  // (bounded by its 5 s read timeout, as we send no more) and answers 413.
  raw = raw_exchange(port_,
                     "POST /set HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000000000\r\n"
                     "Connection: close\r\n\r\n{");
  EXPECT_EQ(status_of(raw), 413) << raw;

  EXPECT_EQ(sets_, 1) << "an oversized body reached the handler";
  auto health = c->Get("/health");
  ASSERT_TRUE(health) << "the server stopped answering: " << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

TEST_F(HookServerSecurity, RefusesChunkedBodiesLargerThanMaxBodyBytes) {
  HookServerOptions opt;
  opt.max_body_bytes = 4096;
  ASSERT_NO_FATAL_FAILURE(start(opt));
  // No Content-Length to check up front: the limit has to hold while reading.
  std::string request =
      "POST /set HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  // 8000 bytes of valid JSON, so a body that gets through reaches on_set.
  const std::string head = R"({"id":"name","value":")", tail = R"("})";
  const std::string body = head + std::string(8000 - head.size() - tail.size(), 'y') + tail;
  for (std::size_t i = 0; i < body.size(); i += 2000) request += "7D0\r\n" + body.substr(i, 2000) + "\r\n";
  request += "0\r\n\r\n";
  std::string raw = raw_exchange(port_, request);
  int status = status_of(raw);
  EXPECT_TRUE(status == 413 || status == 411) << "an 8000-byte chunked body with max_body_bytes = 4096:\n" << raw;
  EXPECT_EQ(sets_, 0) << "an oversized chunked body reached the handler";
  auto health = client()->Get("/health");
  ASSERT_TRUE(health) << "the server stopped answering: " << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

TEST_F(HookServerSecurity, RefusesTheDefaultMaximumPlusOneAndHugeHeaders) {
  ASSERT_NO_FATAL_FAILURE(start());  // max_body_bytes: the default, 1 MiB
  const std::size_t limit = HookServerOptions{}.max_body_bytes;
  std::string raw =
      raw_exchange(port_, "POST /click HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(limit + 1) +
                              "\r\nConnection: close\r\n\r\n" + std::string(limit + 1, ' '));
  EXPECT_EQ(status_of(raw), 413) << raw.substr(0, 300);

  // A 64 KiB header line: refused or dropped, never served, never fatal.
  raw = raw_exchange(port_, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Livegui-Token: " + std::string(65536, 'a') +
                                "\r\nConnection: close\r\n\r\n");
  EXPECT_NE(status_of(raw), 200) << raw.substr(0, 300);
  EXPECT_EQ(clicks_, 0);

  auto health = client()->Get("/health");
  ASSERT_TRUE(health) << "the server stopped answering: " << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace livegui
