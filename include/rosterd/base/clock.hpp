#pragma once
// Time is explicit and injectable: every component asks a Clock, so tests can move time.
#include <chrono>
#include <mutex>

namespace rosterd {

using SysTime = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
  public:
    SysTime now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
    }
};

// A clock that only moves when told to; thread-safe so a test thread can advance it.
class FakeClock final : public Clock {
  public:
    explicit FakeClock(SysTime start) : now_(start) {}
    SysTime now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void set(SysTime t) {
        std::lock_guard lock(mutex_);
        now_ = t;
    }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

  private:
    mutable std::mutex mutex_;
    SysTime now_;
};

}  // namespace rosterd
