// A connected socket as cpp-httplib's Stream, for the gate's pool (internal to src/http; see
// gate.h): every wait bounded, the body read under a deadline and a minimum rate, the answer
// sent under a write timeout, a minimum rate and the gate's bound on slow writers.
#ifndef ATTEST_HTTP_FD_STREAM_H_
#define ATTEST_HTTP_FD_STREAM_H_

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include "http/numbers.h"

namespace attest::http {

// Milliseconds of the steady clock.
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A connected socket as cpp-httplib's Stream, with timeouts on every wait. What it reads first
// is `prefix` (the request head as the gate rewrote it, then any bytes the gate read past it);
// then the socket. The body's reads are bounded by a deadline and a minimum average rate.
class FdStream : public httplib::Stream {
 public:
  struct Limits {
    int read_ms, write_ms;
    int64_t start_ms;     // when the head was whole
    int64_t deadline_ms;  // reads fail from then on
    int grace_ms;         // from start_ms + grace_ms, the body must average:
    uint64_t min_rate;    // bytes a second
    // The answer: a send that waits stall_ms for room makes the request a slow writer, if
    // `stalled` lets it (false: the answer ends there); from write_grace_ms after its first
    // byte, the answer must average min_write_rate bytes a second.
    int stall_ms = 0;
    int write_grace_ms = 0;
    uint64_t min_write_rate = 0;
    std::function<bool()> stalled;
  };
  // `end`: where the request's body ends (head and body bytes); reads from the socket stop
  // there, so what comes next stays in the socket for the gate.
  FdStream(int fd, std::string prefix, size_t head_length, uint64_t end, Limits limits)
      : fd_(fd),
        prefix_(std::move(prefix)),
        head_length_(head_length),
        end_(end),
        limits_(limits) {}
  bool is_readable() const override {
    return prefix_pos_ < prefix_.size() || pos_ < len_ || Wait(POLLIN, ReadWaitMs());
  }
  // httplib asks before each piece of an answer it writes: room is waited for under the same
  // rules as write's.
  bool is_writable() const override { return WaitForRoom(); }
  // Reads through a buffer: httplib reads request lines a byte at a time.
  ssize_t read(char* ptr, size_t size) override {
    if (prefix_pos_ < prefix_.size()) {
      size_t n = std::min(size, prefix_.size() - prefix_pos_);
      std::memcpy(ptr, prefix_.data() + prefix_pos_, n);
      prefix_pos_ += n;
      consumed_ += n;
      return static_cast<ssize_t>(n);
    }
    if (pos_ == len_) {
      uint64_t rest = consumed_ < end_ ? end_ - consumed_ : sizeof(buf_);
      if (size >= sizeof(buf_)) {  // a large body read: straight in
        ssize_t n = Recv(ptr, std::min<uint64_t>(size, rest));
        if (n > 0) consumed_ += static_cast<size_t>(n);
        return n;
      }
      ssize_t n = Recv(buf_, std::min<uint64_t>(sizeof(buf_), rest));
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    consumed_ += n;
    return static_cast<ssize_t>(n);
  }
  // Bytes handed to httplib so far (head included).
  uint64_t consumed() const { return consumed_; }
  // Bytes received but not handed to httplib (the start of a pipelined request).
  std::string TakeLeftover() {
    std::string rest = prefix_.substr(prefix_pos_);
    rest.append(buf_ + pos_, len_ - pos_);
    prefix_pos_ = prefix_.size();
    pos_ = len_ = 0;
    return rest;
  }
  // The socket stays non-blocking: a send that would block waits for room, up to the timeout,
  // cut short when the answer falls below its minimum rate. One that waits stall_ms first asks
  // to be a slow writer (counted per address and in all), and ends if it may not.
  ssize_t write(const char* ptr, size_t size) override {
    while (true) {
      ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        if (write_start_ms_ == 0) write_start_ms_ = NowMs();
        written_ += static_cast<uint64_t>(n);
      }
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitForRoom()) return -1;
    }
  }
  // Whether a send waited long enough to make this a slow writer (Limits::stalled said yes).
  bool slow() const { return slow_; }
  // Whether a wait for room to send ended the answer.
  bool write_failed() const { return write_failed_; }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // How long the next read may wait: the per-read timeout, cut short by the request's deadline
  // and by the moment the body falls below the minimum rate. 0 or less: no more waiting.
  int ReadWaitMs() const {
    int64_t now = NowMs();
    int64_t until = std::min<int64_t>(now + limits_.read_ms, limits_.deadline_ms);
    if (limits_.min_rate > 0) {
      uint64_t body = received_ + (prefix_.size() - std::min(prefix_.size(), head_length_));
      int64_t due = limits_.start_ms + limits_.grace_ms +
                    static_cast<int64_t>((body + 1) * 1000 / limits_.min_rate);
      until = std::min(until, due);
    }
    return static_cast<int>(std::max<int64_t>(0, until - now));
  }
  // Waits for room to send: up to the write timeout, cut short when the answer falls below its
  // minimum rate. A wait of stall_ms first asks to make this a slow writer (Limits::stalled);
  // false if it may not, or when the wait ends without room.
  bool WaitForRoom() const {
    if (write_start_ms_ == 0) write_start_ms_ = NowMs();
    int waited = 0;
    if (!slow_ && limits_.stall_ms > 0) {
      int first = std::min(limits_.stall_ms, WriteWaitMs());
      if (first > 0 && Wait(POLLOUT, first)) return true;
      if (first < limits_.stall_ms || (limits_.stalled && !limits_.stalled())) {
        write_failed_ = true;  // below the minimum rate, or one slow writer too many
        return false;
      }
      slow_ = true;
      waited = first;
    }
    int wait = std::min(limits_.write_ms - waited, WriteWaitMs());
    if (wait > 0 && Wait(POLLOUT, wait)) return true;
    write_failed_ = true;
    return false;
  }
  // How long a send may wait for room before the answer falls below its minimum rate.
  int WriteWaitMs() const {
    if (limits_.min_write_rate == 0) return limits_.write_ms;
    int64_t due = write_start_ms_ + limits_.write_grace_ms +
                  static_cast<int64_t>(written_ * 1000 / limits_.min_write_rate);
    return static_cast<int>(std::clamp<int64_t>(due - NowMs(), 0, limits_.write_ms));
  }
  bool Wait(short events, int ms) const {
    pollfd p{fd_, events, 0};
    int rc;
    do {
      rc = ::poll(&p, 1, ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && (p.revents & (events | POLLHUP | POLLERR));
  }
  void Address(bool peer, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int rc = peer ? getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len)
                  : getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      ip = host;
      port = static_cast<int>(ParseDigits(serv, 5).value_or(0));
    }
  }
  ssize_t Recv(char* ptr, size_t size) {
    while (true) {
      if (NowMs() >= limits_.deadline_ms) return -1;
      ssize_t n = ::recv(fd_, ptr, size, MSG_DONTWAIT);
      if (n > 0) received_ += static_cast<uint64_t>(n);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      int wait = ReadWaitMs();  // 0: past the deadline, or too slow
      if (wait <= 0 || !Wait(POLLIN, wait)) return -1;
    }
  }
  int fd_;
  std::string prefix_;
  size_t prefix_pos_ = 0;
  size_t head_length_;
  uint64_t end_;
  Limits limits_;
  uint64_t received_ = 0;  // from the socket
  uint64_t consumed_ = 0;
  mutable int64_t write_start_ms_ = 0;  // the answer's first send, or first wait for room
  uint64_t written_ = 0;                // bytes of the answer sent
  mutable bool slow_ = false;
  mutable bool write_failed_ = false;
  char buf_[16 * 1024];
  size_t pos_ = 0, len_ = 0;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_FD_STREAM_H_
