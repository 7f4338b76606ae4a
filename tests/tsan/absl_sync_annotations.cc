// ThreadSanitizer builds only. Debian's Abseil is not built with TSan, so TSan cannot
// see that absl::Mutex, CondVar and Notification order memory: every guarded access
// would be reported as a race. This file interposes their entry points (the program's
// definitions win over the shared library's), calls the library's own, and tells TSan
// the happens-before edges: a lock acquires, an unlock releases, a wait releases and
// re-acquires, a notification releases and its waiters acquire. gRPC's own locks go
// through the same symbols, so its hand-offs to our callbacks are seen too.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

#define CF_STRINGIZE_INNER(x) #x
#define CF_STRINGIZE(x) CF_STRINGIZE_INNER(x)

// "_ZN4absl" + the inline namespace Debian's Abseil uses + the rest of a mangled name.
std::string AbslSymbol(const char* nested_prefix, const char* rest) {
  const std::string ns = CF_STRINGIZE(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return std::string(nested_prefix) + "4absl" + std::to_string(ns.size()) + ns + rest;
}

template <typename Fn>
Fn Library(const char* nested_prefix, const char* rest) {
  const std::string name = AbslSymbol(nested_prefix, rest);
  void* found = dlsym(RTLD_NEXT, name.c_str());
  if (found == nullptr) std::abort();  // an Abseil without this symbol: fix this file
  Fn fn;
  static_assert(sizeof(fn) == sizeof(found));
  std::memcpy(&fn, &found, sizeof(fn));
  return fn;
}

void Acquire(const void* p) { __tsan_acquire(const_cast<void*>(p)); }
void Release(const void* p) { __tsan_release(const_cast<void*>(p)); }

// Abseil evaluates a waiter's condition inside the library, on whichever thread holds
// the mutex at that moment (the waiter, or an unlocker checking waiters): the wrapper
// marks the evaluation as done under the lock.
struct Guarded {
  const absl::Condition* condition;
  const absl::Mutex* mu;
};

bool EvaluateGuarded(void* arg) {
  const Guarded* guarded = static_cast<const Guarded*>(arg);
  Acquire(guarded->mu);
  const bool holds = guarded->condition->Eval();
  Release(guarded->mu);
  return holds;
}

}  // namespace

// The wrapped condition of `cond` on `mu`, living as long as `guarded`.
#define CF_GUARDED_CONDITION(name, cond, mu) \
  Guarded name##_arg{&(cond), (mu)};         \
  const absl::Condition name(&EvaluateGuarded, &name##_arg)

namespace absl {
ABSL_NAMESPACE_BEGIN

using MutexFn = void (*)(Mutex*);
using TryFn = bool (*)(Mutex*);
using CondFn = void (*)(Mutex*, const Condition&);
using CondTimeoutFn = bool (*)(Mutex*, const Condition&, Duration);
using CondDeadlineFn = bool (*)(Mutex*, const Condition&, Time);

void Mutex::Lock() {
  static const auto next = Library<MutexFn>("_ZN", "5Mutex4LockEv");
  next(this);
  Acquire(this);
}
void Mutex::ReaderLock() {
  static const auto next = Library<MutexFn>("_ZN", "5Mutex10ReaderLockEv");
  next(this);
  Acquire(this);
}
void Mutex::Unlock() {
  static const auto next = Library<MutexFn>("_ZN", "5Mutex6UnlockEv");
  Release(this);
  next(this);
}
void Mutex::ReaderUnlock() {
  static const auto next = Library<MutexFn>("_ZN", "5Mutex12ReaderUnlockEv");
  Release(this);
  next(this);
}
bool Mutex::TryLock() {
  static const auto next = Library<TryFn>("_ZN", "5Mutex7TryLockEv");
  const bool locked = next(this);
  if (locked) Acquire(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  static const auto next = Library<TryFn>("_ZN", "5Mutex13ReaderTryLockEv");
  const bool locked = next(this);
  if (locked) Acquire(this);
  return locked;
}
void Mutex::LockWhen(const Condition& cond) {
  static const auto next = Library<CondFn>("_ZN", "5Mutex8LockWhenERKNS0_9ConditionE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  next(this, guarded);
  Acquire(this);
}
void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto next = Library<CondFn>("_ZN", "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  next(this, guarded);
  Acquire(this);
}
bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next =
      Library<CondTimeoutFn>("_ZN", "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, timeout);
  Acquire(this);
  return met;
}
bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto next =
      Library<CondDeadlineFn>("_ZN", "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, deadline);
  Acquire(this);
  return met;
}
bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next = Library<CondTimeoutFn>(
      "_ZN", "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, timeout);
  Acquire(this);
  return met;
}
bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto next = Library<CondDeadlineFn>(
      "_ZN", "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, deadline);
  Acquire(this);
  return met;
}
void Mutex::Await(const Condition& cond) {
  static const auto next = Library<CondFn>("_ZN", "5Mutex5AwaitERKNS0_9ConditionE");
  Release(this);
  CF_GUARDED_CONDITION(guarded, cond, this);
  next(this, guarded);
  Acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next =
      Library<CondTimeoutFn>("_ZN", "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Release(this);
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, timeout);
  Acquire(this);
  return met;
}
bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto next =
      Library<CondDeadlineFn>("_ZN", "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Release(this);
  CF_GUARDED_CONDITION(guarded, cond, this);
  const bool met = next(this, guarded, deadline);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static const auto next = Library<void (*)(CondVar*, Mutex*)>("_ZN", "7CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  next(this, mu);
  Acquire(mu);
}
bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto next = Library<bool (*)(CondVar*, Mutex*, Duration)>(
      "_ZN", "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool timed_out = next(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}
bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto next = Library<bool (*)(CondVar*, Mutex*, Time)>(
      "_ZN", "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool timed_out = next(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

void Notification::Notify() {
  static const auto next = Library<void (*)(Notification*)>("_ZN", "12Notification6NotifyEv");
  Release(this);
  next(this);
}
void Notification::WaitForNotification() const {
  static const auto next =
      Library<void (*)(const Notification*)>("_ZNK", "12Notification19WaitForNotificationEv");
  next(this);
  Acquire(this);
}
bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto next = Library<bool (*)(const Notification*, Duration)>(
      "_ZNK", "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = next(this, timeout);
  if (notified) Acquire(this);
  return notified;
}
bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto next = Library<bool (*)(const Notification*, Time)>(
      "_ZNK", "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = next(this, deadline);
  if (notified) Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl

// Every TSan-built program (the agent and simulator the end-to-end tests start too)
// gets these without TSAN_OPTIONS plumbing. Debian's gRPC, protobuf, Abseil and OpenSSL
// are not TSan-built: their own hand-offs (closures, lock-free queues, atomics) are
// invisible, so the memory and lock functions they call are not checked
// (ignore_noninstrumented_modules); every access cellfleet's code makes still is.
extern "C" const char* __tsan_default_options() {
  return "halt_on_error=1 exitcode=66 second_deadlock_stack=1 ignore_noninstrumented_modules=1";
}

// gRPC's own call machinery, in its headers, touching only gRPC's call objects, which
// gRPC's core hands between its threads: a call's received status (written by the
// core, read when the call finishes); a stream's write and finish, which set the
// completion tag the core later runs, and its destruction; and the interceptor batch of
// a call (cellfleet installs no interceptors). None of these calls into cellfleet code,
// so no race of ours can hide behind them. (Frames inlined from gRPC's headers carry
// short names; these patterns match the named gRPC frames around them.) And gRPC's own
// executor threads (grpc_core::Thread: "default-executor", started on demand, e.g. for
// a name lookup, and ended by gRPC's shutdown, which a test process leaving quickly
// races): a leak report of one, seen once in CI, is about gRPC's lifecycle; threads
// cellfleet starts are not made through grpc_core::Thread and are still checked.
extern "C" const char* __tsan_default_suppressions() {
  return "race:grpc::internal::CallOpClientRecvStatus::FinishOp\n"
         "race:ServerCallbackWriterImpl::Finish\n"
         "race:ServerCallbackWriterImpl::Write\n"
         "race:ServerCallbackWriterImpl::~ServerCallbackWriterImpl\n"
         "race:grpc::internal::ClientCallback*Impl<*>::ClientCallback\n"
         "race:InterceptorBatchMethodsImpl\n"
         "thread:grpc_core::Thread::Thread\n";
}

namespace {
// Abseil's deadlock detector keeps its graph under a spin lock TSan cannot see; TSan
// has its own lock checks, so the detector is off in these builds.
const bool kDeadlockDetectionOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();
}  // namespace
