#include "agent/security/call_limits.h"

#include "absl/strings/str_cat.h"

namespace cellfleet::agent {
namespace {

// "ipv4:192.0.2.7:40000" -> "ipv4:192.0.2.7"; "ipv6:[::1]:40000" -> "ipv6:[::1]".
std::string HostOf(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  const size_t scheme = peer.find(':');
  if (colon == std::string::npos || colon == scheme) return peer;
  return peer.substr(0, colon);
}

}  // namespace

std::string CallLimits::ClientOf(const Caller& caller) {
  return caller.identity.empty() ? absl::StrCat("unauthenticated ", HostOf(caller.peer))
                                 : caller.identity;
}

absl::StatusOr<CallLimits::Client*> CallLimits::Find(const std::string& key) {
  auto it = clients_.find(key);
  if (it != clients_.end()) return &it->second;
  if (static_cast<int>(clients_.size()) >= settings_.clients) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the agent serves ", settings_.clients,
                     " clients at once, and that many hold streams or modem calls; retry later"));
  }
  return &clients_[key];
}

void CallLimits::Forget(const std::string& key) {
  auto it = clients_.find(key);
  if (it == clients_.end()) return;
  Client& client = it->second;
  const absl::Time minute_ago = clock_.Now() - absl::Minutes(1);
  while (!client.modem_starts.empty() && client.modem_starts.front() <= minute_ago) {
    client.modem_starts.pop_front();
  }
  if (client.streams == 0 && client.on_modem == 0 && client.modem_starts.empty())
    clients_.erase(it);
}

CallLimits::Slot CallLimits::Hold(std::string key, Held what) {
  // A shared_ptr made from nullptr still calls its deleter when the last copy goes.
  return Slot(nullptr, [this, key = std::move(key), what](void*) {
    absl::MutexLock lock(&mu_);
    Release(key, what);
  });
}

void CallLimits::Release(const std::string& key, Held what) {
  Client& client = clients_[key];
  if (what == Held::kStream) {
    --client.streams;
  } else {
    --client.on_modem;
    --modem_calls_;
  }
  Forget(key);
}

absl::StatusOr<CallLimits::Slot> CallLimits::OpenStream(const Caller& caller) {
  const std::string key = ClientOf(caller);
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Client*> client = Find(key);
  if (!client.ok()) return client.status();
  if ((*client)->streams >= settings_.streams_per_client) {
    return absl::ResourceExhaustedError(
        absl::StrCat(key, " already has ", settings_.streams_per_client,
                     " streams open on this agent, the most one client may; close one first"));
  }
  ++(*client)->streams;
  return Hold(key, Held::kStream);
}

absl::StatusOr<CallLimits::Slot> CallLimits::UseModem(const Caller& caller,
                                                      absl::string_view method) {
  const std::string key = ClientOf(caller);
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Client*> found = Find(key);
  if (!found.ok()) return found.status();
  Client& client = **found;
  while (!client.modem_starts.empty() && client.modem_starts.front() <= now - absl::Minutes(1)) {
    client.modem_starts.pop_front();
  }
  absl::Status refused;
  if (client.on_modem >= settings_.modem_calls_per_client) {
    refused = absl::ResourceExhaustedError(
        absl::StrCat(method, ": ", key, " already has ", client.on_modem,
                     " calls on the modem's AT channel, the most one client may at once"));
  } else if (static_cast<int>(client.modem_starts.size()) >= settings_.modem_calls_per_minute) {
    refused = absl::ResourceExhaustedError(
        absl::StrCat(method, ": ", key, " made ", settings_.modem_calls_per_minute,
                     " calls on the modem's AT channel in the last minute, the most one client "
                     "may; retry in a minute"));
  } else if (modem_calls_ >= settings_.modem_calls_at_once) {
    refused = absl::ResourceExhaustedError(absl::StrCat(
        method, ": the modem's AT channel is running ", modem_calls_,
        " callers' commands, the most at once (the poller keeps its share); retry shortly"));
  }
  if (!refused.ok()) {
    Forget(key);
    return refused;
  }
  ++client.on_modem;
  client.modem_starts.push_back(now);
  ++modem_calls_;
  return Hold(key, Held::kModemCall);
}

}  // namespace cellfleet::agent
