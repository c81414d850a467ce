// SIGINT and SIGTERM for the commands that run until stopped (`serve`, `demo`, `worker`).
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace attest::cli {

// Blocks SIGINT and SIGTERM in the thread that makes it, and so in every thread that thread
// starts from then on; one thread of its own waits for them with sigwait, so nothing runs in a
// signal handler. Made, used and destroyed by one thread.
class StopSignals {
 public:
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals() { Join(); }

  // Starts the waiting thread, which calls on_stop when SIGINT or SIGTERM arrives.
  // REQUIRES: called at most once.
  void OnStop(std::function<void()> on_stop);

  // Returns once the waiting thread has ended: it is woken (and calls on_stop) if no signal
  // came. Nothing if OnStop was not called.
  void Join();

 private:
  sigset_t signals_;
  std::atomic<bool> woken_{false};  // sigwait returned
  std::thread waiter_;
};

}  // namespace attest::cli
