// GtestStreamSink: what a GoogleTest binary streams is kept whole in its file,
// and, batched, its few small events do not wake the executor once each.
#include "batcher/run/gtest_stream_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

/// A client connected to the sink as GoogleTest's StreamingListener is.
struct Client {
  int fd = -1;
  explicit Client(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~Client() { close(); }
  void send(const std::string& s) { ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

/// How many of the sink's descriptors poll finds ready within `wait`.
int ready(const GtestStreamSink& sink, std::chrono::milliseconds wait) {
  std::vector<pollfd> fds;
  sink.add_poll_fds(fds);
  return ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
}

const std::string kEvents =
    "event=TestStart&name=One\nevent=TestEnd&passed=1&elapsed_time=0ms\nevent=TestStart&name=Two\n";

TEST(GtestStreamSink, KeepsTheEventLinesOfTheFirstConnectionAndNothingElse) {
  TempDir dir;
  auto sink = GtestStreamSink::open(dir / "stream");
  ASSERT_TRUE(sink);
  Client own(sink->port());
  ASSERT_GE(own.fd, 0);
  own.send("gtest_streaming_protocol_version=1.0\n" + kEvents + "event=TestEnd&pass");  // cut mid-line
  own.close();
  Client child(sink->port());  // a child given the same argv: drained unread
  ASSERT_GE(child.fd, 0);
  child.send("event=TestStart&name=NotOurs\n");
  child.close();
  sink->finish(2s);
  EXPECT_EQ(test_support::read_text(dir / "stream"), kEvents);
}

TEST(GtestStreamSink, BatchedSmallEventsWaitForTheConnectionsEndAndAreStillReadWhenAsked) {
  TempDir dir;
  auto sink = GtestStreamSink::open(dir / "stream", kBatchedEvents);
  ASSERT_TRUE(sink);
  Client own(sink->port());
  ASSERT_GE(own.fd, 0);
  ASSERT_EQ(ready(*sink, 5s), 1) << "the connection itself is reported (the listener)";
  sink->pump();
  own.send(kEvents);
  EXPECT_EQ(ready(*sink, 200ms), 0) << "a few small events woke the poller";
  sink->pump();  // the executor's tick, or a timeout: reads what is there
  EXPECT_EQ(test_support::read_text(dir / "stream"), kEvents);
  own.send("event=TestEnd&passed=0&elapsed_time=1ms\n");
  own.close();
  EXPECT_EQ(ready(*sink, 5s), 1) << "the end of the connection must wake the poller";
  sink->finish(2s);
  EXPECT_EQ(test_support::read_text(dir / "stream"), kEvents + "event=TestEnd&passed=0&elapsed_time=1ms\n");
}

TEST(GtestStreamSink, UnbatchedEventsWakeThePollerAtOnce) {
  // For test_timeout: a test's start must be seen when it happens.
  TempDir dir;
  auto sink = GtestStreamSink::open(dir / "stream", 1);
  ASSERT_TRUE(sink);
  Client own(sink->port());
  ASSERT_GE(own.fd, 0);
  ASSERT_EQ(ready(*sink, 5s), 1);
  sink->pump();
  own.send("event=TestStart&name=One\n");
  EXPECT_EQ(ready(*sink, 5s), 1);
}

}  // namespace
}  // namespace livegui::batch
