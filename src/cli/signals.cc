#include "cli/signals.h"

#include <pthread.h>

namespace attest::cli {

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

void StopSignals::OnStop(std::function<void()> on_stop) {
  waiter_ = std::thread([this, on_stop = std::move(on_stop)] {
    int sig = 0;
    sigwait(&signals_, &sig);
    woken_ = true;
    on_stop();
  });
}

void StopSignals::Join() {
  if (!waiter_.joinable()) return;
  if (!woken_) pthread_kill(waiter_.native_handle(), SIGTERM);  // release the waiter
  waiter_.join();
}

}  // namespace attest::cli
