#include "harness/health_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/text.hpp"
#include "hookclient/response_parser.hpp"

namespace livegui {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<std::size_t> parse_size(std::string_view s, int base) {
  s = trim(s);
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::size_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'                 ? c - '0'
            : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
    if (d < 0) return std::nullopt;
    v = v * static_cast<std::size_t>(base) + static_cast<std::size_t>(d);
  }
  return v;
}

timeval to_timeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace

HealthProbe::HealthProbe(HealthProbeOptions options)
    : options_(std::move(options)), endpoint_("127.0.0.1:" + std::to_string(options_.port)) {
  request_ = "GET /health HTTP/1.1\r\nHost: " + endpoint_ + "\r\nAccept: application/json\r\n";
  if (!options_.token.empty()) request_ += "X-Livegui-Token: " + options_.token + "\r\n";
  request_ += "\r\n";
}

HealthProbe::~HealthProbe() { close(); }

HealthProbe::HealthProbe(HealthProbe&& other) noexcept
    : options_(std::move(other.options_)),
      endpoint_(std::move(other.endpoint_)),
      request_(std::move(other.request_)),
      fd_(std::exchange(other.fd_, -1)) {}

HealthProbe& HealthProbe::operator=(HealthProbe&& other) noexcept {
  if (this != &other) {
    close();
    options_ = std::move(other.options_);
    endpoint_ = std::move(other.endpoint_);
    request_ = std::move(other.request_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void HealthProbe::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HealthProbe::fail_unreachable(const std::string& why) {
  close();
  throw HookUnreachable("GET /health to " + endpoint_ + " failed: " + why +
                        "; the AUT is probably dead, or wedged so badly that its hook server no longer answers");
}

void HealthProbe::connect_now() {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) fail_unreachable(std::string("socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(options_.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) fail_unreachable(std::string("could not connect (") + std::strerror(errno) + ")");
    pollfd p{fd_, POLLOUT, 0};
    int n;
    do n = ::poll(&p, 1, static_cast<int>(options_.connect_timeout.count()));
    while (n < 0 && errno == EINTR);
    if (n == 0) fail_unreachable("connect timed out after " + human_duration(options_.connect_timeout));
    int err = 0;
    socklen_t len = sizeof err;
    if (n < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
      fail_unreachable(std::string("could not connect (") + std::strerror(err ? err : errno) + ")");
  }
  // From here on blocking calls, each bounded by the socket's own timeouts:
  // one syscall per send or receive instead of poll + call.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  timeval rcv = to_timeval(options_.read_timeout), snd = to_timeval(options_.connect_timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HealthProbe::Reply HealthProbe::exchange(bool& reused, bool& nothing_received) {
  reused = fd_ >= 0;
  nothing_received = true;
  if (fd_ < 0) connect_now();
  const auto deadline = Clock::now() + 2 * options_.read_timeout;

  for (std::size_t sent = 0; sent < request_.size();) {
    ssize_t n = ::send(fd_, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      fail_unreachable(std::string("connection closed or reset while sending the request (") + std::strerror(errno) +
                       ")");
    sent += static_cast<std::size_t>(n);
  }

  std::string buf;
  bool eof = false;
  // Reads more into buf; false at end of stream.
  auto receive = [&]() -> bool {
    if (eof) return false;
    if (Clock::now() > deadline)
      fail_unreachable("reply still incomplete after " + human_duration(2 * options_.read_timeout));
    char chunk[4096];
    ssize_t n;
    do n = ::recv(fd_, chunk, sizeof chunk, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      fail_unreachable("no reply within the read timeout of " + human_duration(options_.read_timeout));
    if (n < 0) fail_unreachable(std::string("connection reset while reading the reply (") + std::strerror(errno) + ")");
    if (n == 0) {
      eof = true;
      return false;
    }
    nothing_received = false;
    if (buf.size() + static_cast<std::size_t>(n) > options_.max_reply_bytes) {
      close();
      throw HookBadResponse("GET /health to " + endpoint_ + ": reply exceeds " +
                            std::to_string(options_.max_reply_bytes) + " bytes; this is not a hook-protocol reply");
    }
    buf.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  auto bad = [&](const std::string& why) {
    close();
    throw HookBadResponse("GET /health to " + endpoint_ + ": " + why + "; reply starts with: " + body_excerpt(buf));
  };

  std::size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos)
    if (!receive()) {
      if (buf.empty()) fail_unreachable("connection closed before a reply");
      bad("connection closed in the middle of the reply's headers");
    }

  Reply reply;
  std::string_view head(buf.data(), head_end);
  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ')
    bad("not an HTTP/1.x reply");
  auto status = parse_size(status_line.substr(9, 3), 10);
  if (!status) bad("no status code in the status line");
  reply.status = static_cast<int>(*status);
  reply.keep_alive = status_line[7] == '1';
  std::optional<std::size_t> content_length;
  bool chunked = false;
  for (std::size_t at = line_end; at != std::string_view::npos && at < head.size();) {
    std::size_t next = head.find("\r\n", at + 2);
    std::string_view line =
        head.substr(at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
    at = next;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      content_length = parse_size(value, 10);
      if (!content_length) bad("malformed Content-Length");
    } else if (name == "transfer-encoding") {
      chunked = lower(value).find("chunked") != std::string::npos;
    } else if (name == "connection") {
      std::string v = lower(value);
      if (v.find("close") != std::string::npos)
        reply.keep_alive = false;
      else if (v.find("keep-alive") != std::string::npos)
        reply.keep_alive = true;
    }
  }

  std::size_t at = head_end + 4;
  if (chunked) {
    for (;;) {
      std::size_t eol;
      while ((eol = buf.find("\r\n", at)) == std::string::npos)
        if (!receive()) bad("connection closed in the middle of a chunked reply");
      std::string_view size_field(buf.data() + at, eol - at);
      auto size = parse_size(size_field.substr(0, size_field.find(';')), 16);
      if (!size) bad("malformed chunk size");
      at = eol + 2;
      if (*size == 0) {
        // Trailers (none expected) end with an empty line.
        while (buf.find("\r\n", at) == std::string::npos)
          if (!receive()) bad("connection closed in the middle of a chunked reply");
        while (buf.compare(at, 2, "\r\n") != 0) {
          std::size_t e = buf.find("\r\n", at);
          at = e + 2;
          while (buf.find("\r\n", at) == std::string::npos)
            if (!receive()) bad("connection closed in the middle of a chunked reply");
        }
        break;
      }
      while (buf.size() < at + *size + 2)
        if (!receive()) bad("connection closed in the middle of a chunked reply");
      reply.body.append(buf, at, *size);
      at += *size + 2;
    }
  } else if (content_length) {
    while (buf.size() < at + *content_length)
      if (!receive())
        bad("connection closed after " + std::to_string(buf.size() - at) + " of " + std::to_string(*content_length) +
            " body bytes");
    reply.body = buf.substr(at, *content_length);
  } else {
    while (receive()) {}
    reply.body = buf.substr(at);
    reply.keep_alive = false;
  }
  if (!reply.keep_alive || eof) close();
  return reply;
}

Health HealthProbe::get() {
  bool reused = false, nothing_received = true;
  Reply reply;
  const auto start = Clock::now();
  try {
    reply = exchange(reused, nothing_received);
  } catch (const HookUnreachable&) {
    // A kept connection the server closed while idle fails at once although
    // the server is fine: one retry on a new connection (GET is idempotent).
    // A timeout is no such case: a wedged app gets no second wait.
    if (!reused || !nothing_received || Clock::now() - start >= options_.read_timeout / 2) throw;
    reply = exchange(reused, nothing_received);
  }
  if (reply.status != 200 && reply.status != 503) {
    close();
    ErrorReply err = parse_error_body(reply.body);
    throw HookProtocolError("GET /health to " + endpoint_ + " (health check): HTTP " + std::to_string(reply.status) +
                                ", app says: \"" + err.error + "\"",
                            reply.status, err.error);
  }
  try {
    return parse_health_body(reply.body);
  } catch (const HookBadResponse& e) {
    close();
    throw HookBadResponse("GET /health from " + endpoint_ + ": " + e.what());
  }
}

}  // namespace livegui
