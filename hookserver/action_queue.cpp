#include "hookserver/action_queue.hpp"

#include <chrono>
#include <cstdint>
#include <utility>

namespace livegui {

struct ActionQueue::Pending {
  ActionQueue::Action json_action;
  ActionQueue::BinaryAction binary_action;
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  bool cancelled = false;  ///< the waiter gave up before it started: never run it
  bool started = false;    ///< the GUI thread took it: it runs to its end
  std::chrono::steady_clock::time_point started_at{};
  std::int64_t started_frame = 0;
  ActionOutcome outcome;
};

namespace {

nlohmann::json error_body(const std::string& message, bool degraded) {
  return {{"error", message}, {"degraded", degraded}};
}

}  // namespace

std::string ActionQueue::degraded_message() const {
  std::string msg;
  for (const auto& r : heartbeat_.reasons()) {
    if (!msg.empty()) msg += "; ";
    msg += r;
  }
  return msg.empty() ? "app degraded" : msg;
}

ActionOutcome ActionQueue::run(Action action, std::chrono::milliseconds timeout) {
  auto pending = std::make_shared<Pending>();
  pending->json_action = std::move(action);
  return wait(pending, timeout);
}

ActionOutcome ActionQueue::run_binary(BinaryAction action, std::chrono::milliseconds timeout) {
  auto pending = std::make_shared<Pending>();
  pending->binary_action = std::move(action);
  return wait(pending, timeout);
}

ActionOutcome ActionQueue::wait(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds timeout) {
  if (heartbeat_.loop_stopped() || heartbeat_.degraded()) return {503, error_body(degraded_message(), true), {}};
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(pending);
  }
  work_cv_.notify_all();

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(pending->mutex);
  for (;;) {
    // Wake up now and then to notice a loop that stopped or stalled meanwhile.
    pending->done_cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return pending->done; });
    if (pending->done) return pending->outcome;
    const auto now = Clock::now();
    if (pending->started) {
      // The loop is busy on this very request: no stall verdict while it
      // runs. Its result is the reply, within the bound counted from its start.
      if (now < pending->started_at + timeout) continue;
      auto ran_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - pending->started_at).count();
      nlohmann::json body = error_body("the GUI thread started the action in frame " +
                                           std::to_string(pending->started_frame) + " but it had not finished after " +
                                           std::to_string(ran_ms) + " ms; whether it took effect is unknown",
                                       heartbeat_.degraded());
      body["ok"] = false;
      body["started"] = true;
      body["frame"] = pending->started_frame;
      return {202, std::move(body), {}};
    }
    bool stalled = heartbeat_.loop_stopped() || heartbeat_.degraded();
    if (stalled || now >= deadline) {
      pending->cancelled = true;  // not started: the GUI thread will skip it
      if (stalled) return {503, error_body(degraded_message(), true), {}};
      return {504,
              error_body("the main loop did not start the action within " + std::to_string(timeout.count()) +
                             " ms although its heartbeat is fresh (frame " + std::to_string(heartbeat_.frame()) +
                             "); it will not run",
                         true),
              {}};
    }
  }
}

int ActionQueue::drain(const std::function<void()>& before_replies) {
  std::deque<std::shared_ptr<Pending>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  if (batch.empty()) {
    if (before_replies) before_replies();
    return 0;
  }
  int ran = 0;
  for (auto& p : batch) {
    {
      // Taking it and the waiter's cancelling exclude each other: an action
      // is either cancelled (never runs) or started (its waiter waits for it).
      std::lock_guard lock(p->mutex);
      if (p->cancelled) continue;
      p->started = true;
      p->started_at = std::chrono::steady_clock::now();
      p->started_frame = heartbeat_.frame();
    }
    ActionOutcome outcome;
    {
      Heartbeat::BusyScope busy(heartbeat_);
      outcome = execute(*p);
    }
    if (before_replies) before_replies();
    {
      std::lock_guard lock(p->mutex);
      p->outcome = std::move(outcome);
      p->done = true;
    }
    p->done_cv.notify_all();
    ++ran;
  }
  return ran;
}

ActionOutcome ActionQueue::execute(Pending& p) {
  ActionOutcome outcome;
  try {
    if (p.binary_action) {
      outcome.binary = p.binary_action();
      if (outcome.binary.empty()) {
        outcome.status = 501;
        outcome.body = error_body("not supported by this app in its current mode", false);
      }
    } else {
      nlohmann::json extra = p.json_action();
      outcome.body = {{"ok", true}, {"frame", heartbeat_.frame()}};
      if (extra.is_object()) outcome.body.update(extra);
    }
  } catch (const ActionError& e) {
    outcome.status = e.status();
    outcome.body = error_body(e.what(), e.degraded());
  } catch (const std::exception& e) {
    outcome.status = 500;
    outcome.body = error_body(std::string("action failed: ") + e.what(), false);
  } catch (...) {
    outcome.status = 500;
    outcome.body = error_body("action failed with a non-standard exception", false);
  }
  return outcome;
}

bool ActionQueue::wait_for_work(std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mutex_);
  return work_cv_.wait_for(lock, max_wait, [&] { return !queue_.empty(); });
}

void ActionQueue::wake() { work_cv_.notify_all(); }

void ActionQueue::fail_pending(const std::string& why) {
  std::deque<std::shared_ptr<Pending>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  for (auto& p : batch) {
    {
      std::lock_guard lock(p->mutex);
      if (p->done || p->cancelled || p->started) continue;
      p->outcome = {503, error_body(why, true), {}};
      p->done = true;
    }
    p->done_cv.notify_all();
  }
}

}  // namespace livegui
