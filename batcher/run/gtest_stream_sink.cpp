#include "batcher/run/gtest_stream_sink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace livegui::batch {
namespace {

constexpr std::size_t kMaxKeptLine = 64 * 1024;  ///< a longer event line is not one we need

bool kept_event(const std::string& line) { return line.rfind("event=", 0) == 0; }

/// A failure text (TestPartResult) can be long: its line is cut here, kept
/// as far as it goes. It is the failure's message when the binary's stdout
/// does not show it (a console printer removed) and no report was written.
bool part_result(const std::string& line) { return line.rfind("event=TestPartResult", 0) == 0; }

}  // namespace

std::unique_ptr<GtestStreamSink> GtestStreamSink::open(const std::filesystem::path& file, int low_water) {
  std::unique_ptr<GtestStreamSink> s(new GtestStreamSink());
  s->low_water_ = std::max(1, low_water);
  auto fail = [&](const char* what) {
    logger("batcher")->warn("GoogleTest event stream for {}: {}: {}; reading the markers alone", file.string(), what,
                            std::strerror(errno));
    return nullptr;
  };
  s->file_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (s->file_ < 0) return fail("creating its file");
  s->listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->listener_ < 0) return fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(s->listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail("bind");
  if (::listen(s->listener_, 64) != 0) return fail("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(s->listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return fail("getsockname");
  s->port_ = ntohs(addr.sin_port);
  return s;
}

GtestStreamSink::~GtestStreamSink() {
  for (auto& c : connections_) ::close(c.fd);
  if (listener_ >= 0) ::close(listener_);
  if (file_ >= 0) ::close(file_);
}

void GtestStreamSink::add_poll_fds(std::vector<pollfd>& fds) const {
  fds.push_back({listener_, POLLIN, 0});
  for (const auto& c : connections_) fds.push_back({c.fd, POLLIN, 0});
}

void GtestStreamSink::keep(Connection& c, const char* data, std::size_t n) {
  for (std::size_t i = 0; i < n;) {
    const char* nl = static_cast<const char*>(std::memchr(data + i, '\n', n - i));
    std::size_t end = nl ? static_cast<std::size_t>(nl - data) : n;
    if (!c.skip_line && !c.cut_line) {
      c.partial.append(data + i, end - i);
      // Decide as soon as the line's start says what it is, or it is too long.
      if (c.partial.size() >= 24 && !kept_event(c.partial)) c.skip_line = true;
      if (!c.skip_line && part_result(c.partial) && c.partial.size() > kMaxKeptFailureLine) {
        c.partial.resize(kMaxKeptFailureLine);
        c.cut_line = true;
      } else if (c.partial.size() > kMaxKeptLine) {
        c.skip_line = true;
      }
      if (c.skip_line) c.partial.clear();
    }
    if (!nl) break;
    // Failure texts have a budget of their own, so they never crowd out the
    // start and end events that say which test was running.
    const bool failure = part_result(c.partial);
    if (!c.skip_line && kept_event(c.partial) && written_ + c.partial.size() + 1 <= kMaxStreamFileBytes &&
        (!failure || failure_written_ + c.partial.size() + 1 <= kMaxStreamFailureBytes)) {
      c.partial += '\n';
      kept_ += c.partial;
      written_ += c.partial.size();
      if (failure) failure_written_ += c.partial.size();
    }
    c.partial.clear();
    c.skip_line = false;
    c.cut_line = false;
    i = end + 1;
  }
}

void GtestStreamSink::read_from(Connection& c) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n > 0) {
      if (c.own) keep(c, buf, static_cast<std::size_t>(n));
      // One write for what this read brought (a batch of events).
      for (std::size_t done = 0; done < kept_.size();) {
        ssize_t w = ::write(file_, kept_.data() + done, kept_.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;  // the file is a record for later: a full disk loses the rest, not the run
        done += static_cast<std::size_t>(w);
      }
      kept_.clear();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    ::close(c.fd);  // EOF or an error: this connection is over
    c.fd = -1;
    return;
  }
}

void GtestStreamSink::pump() {
  for (;;) {
    int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;
    }
    if (low_water_ > 1) ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &low_water_, sizeof low_water_);
    Connection c;
    c.fd = fd;
    c.own = !accepted_own_;
    accepted_own_ = true;
    connections_.push_back(std::move(c));
  }
  for (auto& c : connections_) read_from(c);
  std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
}

void GtestStreamSink::finish(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    pump();
    if (connections_.empty()) return;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::vector<pollfd> fds;
    for (const auto& c : connections_) fds.push_back({c.fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
  }
}

}  // namespace livegui::batch
