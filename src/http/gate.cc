#include "http/gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace attest::http {
namespace {

thread_local bool close_after_request = false;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A connected socket as cpp-httplib's Stream, with timeouts on every wait.
class FdStream : public httplib::Stream {
 public:
  FdStream(int fd, int read_timeout_s, int write_timeout_s)
      : fd_(fd), read_ms_(read_timeout_s * 1000), write_ms_(write_timeout_s * 1000) {}
  bool is_readable() const override { return pos_ < len_ || Wait(POLLIN, read_ms_); }
  bool is_writable() const override { return Wait(POLLOUT, write_ms_); }
  // Reads through a buffer: httplib reads request lines a byte at a time.
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (size >= sizeof(buf_)) return Recv(ptr, size);  // a large body read: straight in
      ssize_t n = Recv(buf_, sizeof(buf_));
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  // Bytes received but not yet read (the start of a pipelined request).
  size_t buffered() const { return len_ - pos_; }
  // The socket stays non-blocking: a send that would block waits for room, up to the timeout.
  ssize_t write(const char* ptr, size_t size) override {
    while (true) {
      ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!Wait(POLLOUT, write_ms_)) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
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
      port = std::atoi(serv);
    }
  }
  ssize_t Recv(char* ptr, size_t size) {
    while (true) {
      ssize_t n = ::recv(fd_, ptr, size, MSG_DONTWAIT);  // a whole head is usually there already
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!Wait(POLLIN, read_ms_)) return -1;
    }
  }
  int fd_;
  int read_ms_, write_ms_;
  char buf_[16 * 1024];
  size_t pos_ = 0, len_ = 0;
};

}  // namespace

struct Gate::Internal {
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  size_t max_connections = 1000;

  // Connections waiting in epoll: their deadline.
  std::multimap<int64_t, int> deadlines;
  std::unordered_map<int, std::multimap<int64_t, int>::iterator> waiting;
  // Requests served on each connection.
  std::unordered_map<int, size_t> served;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> ready;     // whole heads, for the pool
  std::vector<int> back;     // answered keep-alive connections, for epoll
  std::vector<int> closing;  // answered connections that end
  std::vector<std::thread> workers;
};

Gate::Gate(GateOptions options) : options_(std::move(options)), rep_(new Internal) {
  keep_alive_max_count_ = options_.max_requests_per_connection;
  keep_alive_timeout_sec_ = std::max(1, options_.keep_alive_ms / 1000);
  read_timeout_sec_ = options_.read_timeout_s;
  write_timeout_sec_ = options_.write_timeout_s;
}

Gate::~Gate() {
  if (rep_->listen_fd >= 0) ::close(rep_->listen_fd);
  if (rep_->epoll_fd >= 0) ::close(rep_->epoll_fd);
  if (rep_->wake_fd >= 0) ::close(rep_->wake_fd);
  delete rep_;
}

Result<int> Gate::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(options_.port);
  if (getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    return Status::InvalidArgument("cannot listen on '" + options_.host + "': not an address");
  }
  int fd = -1;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + port +
                               " (in use, or not an address of this machine)");
  }
  rep_->listen_fd = fd;
  // Made here, before any thread that may call Stop() exists.
  rep_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  rep_->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // httplib's streaming writers stop when its own socket is invalid ("shutting down").
  svr_sock_ = fd;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  // Every idle connection holds a descriptor: allow as many as the system lets this process.
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
    rep_->max_connections = lim.rlim_cur > 256 ? lim.rlim_cur - 128 : 128;
  }
  return bound;
}

void Gate::Answer(int fd) {
  FdStream stream(fd, options_.read_timeout_s, options_.write_timeout_s);
  bool end = false;
  do {
    size_t count;
    {
      std::lock_guard<std::mutex> l(rep_->mu);
      count = ++rep_->served[fd];
    }
    bool last = count >= options_.max_requests_per_connection || rep_->stopping.load();
    bool closed = false;
    bool parsed = false;
    close_after_request = false;
    bool ok = process_request(stream, last, closed, [&](httplib::Request& req) {
      parsed = true;
      stream.get_remote_ip_and_port(req.remote_addr, req.remote_port);
    });
    end = !ok || closed || last || !parsed || close_after_request;
    // A pipelined request already read into the buffer is answered here; otherwise the
    // connection waits in epoll for its next request.
  } while (!end && stream.buffered() > 0);
  std::lock_guard<std::mutex> l(rep_->mu);
  if (end) {
    rep_->closing.push_back(fd);
  } else {
    rep_->back.push_back(fd);
  }
  uint64_t one = 1;
  (void)::write(rep_->wake_fd, &one, sizeof(one));
}

void Gate::CloseAfterThisRequest() { close_after_request = true; }

Status Gate::Run() {
  Internal* r = rep_;
  if (r->epoll_fd < 0 || r->wake_fd < 0) return Status::IOError("cannot make an epoll instance");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = r->listen_fd;
  epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->listen_fd, &ev);
  ev.data.fd = r->wake_fd;
  epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->wake_fd, &ev);

  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    r->workers.emplace_back([this, r] {
      while (true) {
        int fd;
        {
          std::unique_lock<std::mutex> l(r->mu);
          r->cv.wait(l, [r] { return r->stopping.load() || !r->ready.empty(); });
          if (r->ready.empty()) return;  // stopping, nothing left
          fd = r->ready.front();
          r->ready.pop_front();
        }
        Answer(fd);
      }
    });
  }

  // A connection leaves epoll (to be answered, or closed).
  auto stop_waiting = [r](int fd) {
    auto it = r->waiting.find(fd);
    if (it != r->waiting.end()) {
      r->deadlines.erase(it->second);
      r->waiting.erase(it);
    }
    epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  };
  auto close_conn = [this, r, &stop_waiting](int fd) {
    stop_waiting(fd);
    {
      std::lock_guard<std::mutex> l(r->mu);
      r->served.erase(fd);
    }
    ::close(fd);
    open_--;
  };
  auto wait_for_head = [this, r](int fd, int64_t deadline) {
    epoll_event e{};
    e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    e.data.fd = fd;
    epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &e);
    r->waiting[fd] = r->deadlines.emplace(deadline, fd);
  };
  std::vector<char> peek(options_.max_head);
  std::vector<epoll_event> events(256);
  while (!r->stopping.load()) {
    int n = epoll_wait(r->epoll_fd, events.data(), static_cast<int>(events.size()), 250);
    if (n < 0 && errno != EINTR) break;
    int64_t now = NowMs();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == r->listen_fd) {
        while (true) {
          int c = accept4(r->listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;  // EAGAIN, or out of descriptors: the rest wait in the backlog
          if (open_.load() >= r->max_connections) {
            ::close(c);
            continue;
          }
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          open_++;
          wait_for_head(c, now + options_.head_timeout_ms);
        }
        continue;
      }
      if (fd == r->wake_fd) {
        uint64_t v;
        (void)::read(r->wake_fd, &v, sizeof(v));
        std::vector<int> back, closing;
        {
          std::lock_guard<std::mutex> l(r->mu);
          back.swap(r->back);
          closing.swap(r->closing);
        }
        for (int c : closing) {
          // Our answer is sent; what the client still sends is read and dropped, so that
          // closing does not reset the connection before the client has read the answer.
          ::shutdown(c, SHUT_WR);
          char sink[4096];
          for (int k = 0; k < 64 && ::recv(c, sink, sizeof(sink), MSG_DONTWAIT) > 0; ++k) {
          }
          close_conn(c);
        }
        for (int c : back) wait_for_head(c, now + options_.keep_alive_ms);
        continue;
      }
      // A waiting connection has new bytes (or hung up): is the request head whole? A request
      // the fast path answers is answered here, and the next one looked at (pipelining).
      while (true) {
        ssize_t got = ::recv(fd, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          close_conn(fd);
          break;
        }
        if (got < 0) break;
        std::string_view head(peek.data(), static_cast<size_t>(got));
        size_t end = head.find("\r\n\r\n");
        bool whole = end != std::string_view::npos || head.find("\n\n") != std::string_view::npos ||
                     static_cast<size_t>(got) == peek.size();
        if (!whole) break;
        std::string response;
        bool close_after = false;
        if (fast_ && end != std::string_view::npos &&
            fast_(head.substr(0, end + 4), &response, &close_after)) {
          ssize_t used = ::recv(fd, peek.data(), end + 4, MSG_DONTWAIT);  // the head, consumed
          ssize_t sent =
              used == static_cast<ssize_t>(end + 4)
                  ? ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                  : -1;
          // An answer of a few KiB fits the socket's buffer; a client that cannot take it is
          // not kept waiting for.
          if (sent != static_cast<ssize_t>(response.size()) || close_after) {
            close_conn(fd);
            break;
          }
          auto it = r->waiting.find(fd);
          if (it != r->waiting.end()) {
            r->deadlines.erase(it->second);
            it->second = r->deadlines.emplace(now + options_.keep_alive_ms, fd);
          }
          continue;
        }
        stop_waiting(fd);
        {
          std::lock_guard<std::mutex> l(r->mu);
          r->ready.push_back(fd);
        }
        r->cv.notify_one();
        break;
      }
    }
    // Connections whose head did not come in time, and idle keep-alive ones, are closed.
    while (!r->deadlines.empty() && r->deadlines.begin()->first <= now) {
      close_conn(r->deadlines.begin()->second);
    }
  }
  // Stop: no new connections; those waiting are closed; requests being answered finish.
  epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, r->listen_fd, nullptr);
  while (!r->waiting.empty()) close_conn(r->waiting.begin()->first);
  r->cv.notify_all();
  for (auto& t : r->workers) t.join();
  r->workers.clear();
  svr_sock_ = INVALID_SOCKET;
  ::close(r->listen_fd);
  r->listen_fd = -1;
  for (int fd : r->ready) ::close(fd);
  for (int fd : r->back) ::close(fd);
  for (int fd : r->closing) ::close(fd);
  return Status::Ok();
}

void Gate::Stop() {
  rep_->stopping.store(true);
  if (rep_->wake_fd >= 0) {
    uint64_t one = 1;
    (void)::write(rep_->wake_fd, &one, sizeof(one));
  }
  rep_->cv.notify_all();
}

}  // namespace attest::http
