// HealthProbe: the per-test GET /health on a kept-alive raw socket (issue 13).
// A scripted loopback server answers each request with the next scripted
// reply, byte for byte, so every framing and failure case is exact.
#include "harness/health_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hookserver/hook_server.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// One scripted step: what to send after a request arrives, then whether to
/// close the connection. An empty reply with close = true hangs up without
/// answering; `silent` never answers (the client must time out).
struct Step {
  std::string reply;
  bool close = false;
  bool silent = false;
};

class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Step> steps) : steps_(std::move(steps)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("scripted server: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  int accepts() const { return accepts_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  /// Waits (bounded by stop_) until `fd` is readable; false when stopping.
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }
  void serve() {
    int conn = -1;
    std::size_t next = 0;
    while (!stop_) {
      if (conn < 0) {
        if (!wait_readable(listen_fd_)) break;
        conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        ++accepts_;
      }
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        if (!wait_readable(conn)) break;
        char buf[1024];
        ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      if (req.find("\r\n\r\n") == std::string::npos) {  // the client hung up
        ::close(conn);
        conn = -1;
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(req);
      }
      Step step = next < steps_.size() ? steps_[next++] : Step{};
      if (step.silent) {
        while (!stop_) {
          pollfd p{conn, POLLIN, 0};
          if (::poll(&p, 1, 20) > 0) break;  // the client gave up and closed
        }
        ::close(conn);
        conn = -1;
        continue;
      }
      if (!step.reply.empty()) (void)::send(conn, step.reply.data(), step.reply.size(), MSG_NOSIGNAL);
      if (step.close) {
        ::close(conn);
        conn = -1;
      }
    }
    if (conn >= 0) ::close(conn);
  }

  std::vector<Step> steps_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepts_{0};
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

std::string health_body(long frame, const std::string& status = "ok") {
  return R"({"protocol_version":1,"app":"fake","status":")" + status + R"(","pid":4121,"frame":)" +
         std::to_string(frame) + R"(,"last_frame_age_ms":3,"reasons":[]})";
}

std::string reply(int status, const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

HealthProbeOptions options(int port) {
  HealthProbeOptions o;
  o.port = port;
  o.connect_timeout = 500ms;
  o.read_timeout = 300ms;
  return o;
}

TEST(HealthProbe, DecodesTheReplyAndKeepsTheConnection) {
  ScriptedServer server(
      {{reply(200, health_body(7))}, {reply(200, health_body(8))}, {reply(503, health_body(9, "degraded"))}});
  HealthProbe probe(options(server.port()));
  Health a = probe.get();
  EXPECT_TRUE(a.ok);
  EXPECT_EQ(a.pid, 4121);
  EXPECT_EQ(a.frame, 7);
  EXPECT_EQ(a.last_frame_age_ms, 3);
  EXPECT_TRUE(probe.connected());
  EXPECT_EQ(probe.get().frame, 8);
  Health c = probe.get();
  EXPECT_FALSE(c.ok) << "503 is a degraded reading, not an error";
  EXPECT_EQ(c.frame, 9);
  EXPECT_EQ(server.accepts(), 1) << "three checks, one kept-alive connection";
}

TEST(HealthProbe, SendsOneWellFormedRequestWithTheToken) {
  ScriptedServer server({{reply(200, health_body(1))}});
  HealthProbeOptions o = options(server.port());
  o.token = "s3cret";
  HealthProbe probe(o);
  probe.get();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("GET /health HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos);
  EXPECT_NE(reqs[0].find("\r\nX-Livegui-Token: s3cret\r\n"), std::string::npos) << reqs[0];
}

TEST(HealthProbe, ReadsChunkedAndUntilCloseReplies) {
  const std::string body = health_body(42);
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + [&] {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size() - 10);
    return std::string(size) + "\r\n" + body.substr(0, body.size() - 10) + "\r\na;ext=1\r\n" +
           body.substr(body.size() - 10) + "\r\n0\r\n\r\n";
  }();
  std::string until_close = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + health_body(43);
  ScriptedServer server({{chunked}, {until_close, true}, {reply(200, health_body(44))}});
  HealthProbe probe(options(server.port()));
  EXPECT_EQ(probe.get().frame, 42);
  EXPECT_EQ(probe.get().frame, 43);
  EXPECT_FALSE(probe.connected()) << "a reply framed by the end of the connection ends it";
  EXPECT_EQ(probe.get().frame, 44);
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HealthProbe, ConnectionCloseIsHonoured) {
  ScriptedServer server({{reply(200, health_body(1), "Connection: close\r\n"), true}, {reply(200, health_body(2))}});
  HealthProbe probe(options(server.port()));
  EXPECT_EQ(probe.get().frame, 1);
  EXPECT_FALSE(probe.connected());
  EXPECT_EQ(probe.get().frame, 2);
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HealthProbe, AKeptConnectionTheServerClosedIsRetriedOnceOnANewOne) {
  // The second request arrives on the kept connection, which the server
  // closes without answering (an idle-timeout close racing the request).
  ScriptedServer server({{reply(200, health_body(1))}, {"", true}, {reply(200, health_body(3))}});
  HealthProbe probe(options(server.port()));
  EXPECT_EQ(probe.get().frame, 1);
  EXPECT_EQ(probe.get().frame, 3) << "the check must not report a healthy app unreachable";
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HealthProbe, ASilentServerIsUnreachableWithinTheBound) {
  ScriptedServer server({{"", false, true}});
  HealthProbe probe(options(server.port()));
  auto t0 = Clock::now();
  try {
    probe.get();
    FAIL() << "a server that never answers was read as healthy";
  } catch (const HookUnreachable& e) {
    EXPECT_NE(std::string(e.what()).find("no reply within the read timeout"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - t0, 5s) << "bounded by the read timeout (300 ms), generously";
  EXPECT_FALSE(probe.connected());
}

TEST(HealthProbe, NothingListeningIsUnreachable) {
  int port;
  {
    ScriptedServer gone({});
    port = gone.port();
  }
  HealthProbe probe(options(port));
  try {
    probe.get();
    FAIL() << "nothing listens on port " << port;
  } catch (const HookUnreachable& e) {
    EXPECT_NE(std::string(e.what()).find("GET /health to 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("could not connect"), std::string::npos) << e.what();
  }
}

TEST(HealthProbe, OtherStatusesAndBadRepliesAreTypedErrors) {
  ScriptedServer server({{reply(401, R"({"error":"missing or wrong X-Livegui-Token","degraded":false})")},
                         {"hello there\r\n\r\n"},
                         {reply(200, R"({"status":"ok"})")},
                         {reply(200, std::string(2000, 'x'))},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", true}});
  HealthProbeOptions o = options(server.port());
  o.max_reply_bytes = 1024;
  HealthProbe probe(o);
  try {
    probe.get();
    FAIL();
  } catch (const HookProtocolError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.app_message(), "missing or wrong X-Livegui-Token");
  }
  EXPECT_THROW(probe.get(), HookBadResponse) << "not HTTP";
  EXPECT_THROW(probe.get(), HookBadResponse) << "not a /health body";
  EXPECT_THROW(probe.get(), HookBadResponse) << "larger than max_reply_bytes";
  EXPECT_THROW(probe.get(), HookBadResponse) << "body cut short by the end of the connection";
}

TEST(HealthProbe, TalksToTheRealHookServer) {
  HookServerOptions opt;
  opt.port = 0;
  opt.app_name = "probe-test";
  HookServer server(opt);
  server.start();
  server.frame();
  HealthProbe probe(options(server.port()));
  for (int i = 0; i < 5; ++i) {
    Health h = probe.get();
    EXPECT_EQ(h.app, "probe-test");
    EXPECT_EQ(h.pid, ::getpid());
  }
  EXPECT_TRUE(probe.connected());
  server.stop();
}

}  // namespace
}  // namespace livegui
