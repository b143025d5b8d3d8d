#pragma once
// The receiving end of one process's GoogleTest event stream (gtest_stream.hpp):
// a loopback listener on a port of its own, polled by the executor with the
// process's pidfd. The first connection is the binary's own (GoogleTest
// connects while parsing its flags, before any test runs); its event lines
// are kept in a file, failure texts (TestPartResult) cut at
// kMaxKeptFailureLine, so the file stays small: they are a failure's message
// when the binary's stdout does not show it and no report was written (a
// console printer removed, then a crash). Later connections
// (a child that was given the same argv) are accepted and drained unread:
// GoogleTest aborts a process whose stream cannot connect, so the listener
// stays open until the process group is gone.

#include <poll.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace livegui::batch {

class GtestStreamSink {
 public:
  /// Listens on 127.0.0.1, port chosen by the kernel, and keeps the binary's
  /// events in `file` (truncated). nullptr when that is not possible (the
  /// caller then runs the binary without a stream; the reason is logged).
  /// `low_water`: how many bytes must be waiting before poll reports a
  /// connection readable (SO_RCVLOWAT, socket(7)); its end always is. With
  /// kBatchedEvents, a binary's few events wait for its exit, a tick of the
  /// executor or the next 4 KiB, instead of waking us once per event; 1
  /// (each event at once) when their arrival times matter (test_timeout).
  static std::unique_ptr<GtestStreamSink> open(const std::filesystem::path& file, int low_water = 1);
  ~GtestStreamSink();
  GtestStreamSink(const GtestStreamSink&) = delete;
  GtestStreamSink& operator=(const GtestStreamSink&) = delete;

  int port() const { return port_; }
  /// Adds the listener and every open connection (POLLIN) to `fds`.
  void add_poll_fds(std::vector<pollfd>& fds) const;
  /// Accepts waiting connections and reads what is there. Never blocks.
  void pump();
  /// Call once the process group is gone: reads the rest, until every
  /// connection has ended or `limit` passed (a process that left the group
  /// may still hold one). Blocks at most `limit`.
  void finish(std::chrono::milliseconds limit);

 private:
  struct Connection {
    int fd = -1;
    bool own = false;        ///< the binary's (first) connection: its lines are kept
    std::string partial;     ///< its unfinished last line
    bool skip_line = false;  ///< the current line is not kept (not an event, or too long)
    bool cut_line = false;   ///< the current line (a failure text) is kept as far as it was cut
  };
  GtestStreamSink() = default;
  void read_from(Connection& c);
  /// Appends the kept event lines of `data` to kept_ (written by read_from, once per read).
  void keep(Connection& c, const char* data, std::size_t n);

  int listener_ = -1;
  int port_ = 0;
  int file_ = -1;
  int low_water_ = 1;
  std::string kept_;  ///< lines of the last read, to be written
  bool accepted_own_ = false;
  std::uint64_t written_ = 0;
  std::uint64_t failure_written_ = 0;  ///< of written_, failure texts
  std::vector<Connection> connections_;
};

/// GtestStreamSink::open's low water when events are batched: a page.
inline constexpr int kBatchedEvents = 4096;
/// Most bytes of event lines one process's file keeps.
inline constexpr std::uint64_t kMaxStreamFileBytes = 16u << 20;
/// Of kMaxStreamFileBytes, most bytes of failure texts (TestPartResult):
/// the rest is always left for the events that say which test ran.
inline constexpr std::uint64_t kMaxStreamFailureBytes = 4u << 20;
/// Most bytes of one failure text's line (TestPartResult, URL-encoded) kept.
inline constexpr std::size_t kMaxKeptFailureLine = 16u << 10;

}  // namespace livegui::batch
