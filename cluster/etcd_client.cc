#include "cluster/etcd_client.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/clock.h"
#include "base/host_port.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::cluster {
namespace {

// Several IP literals: one channel over all, round-robin (a dead member is skipped);
// otherwise the first endpoint by DNS, which may give several addresses.
std::string ChannelTarget(const std::vector<std::string>& endpoints) {
  bool all_ipv4 = !endpoints.empty();
  for (const std::string& endpoint : endpoints) {
    absl::StatusOr<base::HostPort> parsed = base::ParseHostPort(endpoint, "etcd endpoint", 1);
    bool ipv4 = parsed.ok() && !parsed->host.empty();
    for (char c : parsed.ok() ? parsed->host : "")
      ipv4 = ipv4 && (absl::ascii_isdigit(c) || c == '.');
    all_ipv4 = all_ipv4 && ipv4;
  }
  if (all_ipv4) return absl::StrCat("ipv4:", absl::StrJoin(endpoints, ","));
  return absl::StrCat("dns:///", endpoints.empty() ? "" : endpoints.front());
}

// etcd's key range for "every key starting with prefix": [prefix, prefix + 1).
std::string PrefixEnd(std::string prefix) {
  for (size_t i = prefix.size(); i > 0; --i) {
    if (static_cast<unsigned char>(prefix[i - 1]) < 0xff) {
      prefix[i - 1] = static_cast<char>(prefix[i - 1] + 1);
      prefix.resize(i);
      return prefix;
    }
  }
  return std::string(1, '\0');  // all 0xff: to the end of the key space
}

constexpr absl::Duration kAttemptTimeout = absl::Seconds(2);

}  // namespace

EtcdClient::EtcdClient(EtcdOptions options)
    : options_(std::move(options)), endpoints_text_(absl::StrJoin(options_.endpoints, ",")) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  // etcd back (or a member started after the gateway) is found within seconds: gRPC's own
  // reconnect backoff grows to two minutes. (Not the minimum: it is also the time a
  // connection attempt gets.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  channel_ = grpc::CreateCustomChannel(ChannelTarget(options_.endpoints),
                                       grpc::InsecureChannelCredentials(), args);
  kv_ = etcdserverpb::KV::NewStub(channel_);
  lease_ = etcdserverpb::Lease::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> EtcdClient::Context(absl::Time deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(deadline));
  return context;
}

grpc::Status EtcdClient::Call(const std::function<grpc::Status(grpc::ClientContext*)>& call) const {
  // gRPC's deadlines are real time.
  const base::Clock& clock = base::Clock::Real();
  const absl::Time deadline = clock.Now() + options_.call_timeout;
  absl::Duration pause = absl::Milliseconds(50);
  for (;;) {
    // An attempt gets part of the time: one sent to a member that lost its leader waits
    // for the election, and another member may answer sooner.
    const absl::Time attempt_deadline = std::min(deadline, clock.Now() + kAttemptTimeout);
    grpc::Status status = call(Context(attempt_deadline).get());
    // A member that died under a call (or one not yet known dead) answers UNAVAILABLE; the
    // next attempt goes to another. Every call here may be made again.
    const bool again =
        status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && attempt_deadline < deadline);
    if (!again || clock.Now() + pause >= deadline) return status;
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(500));
  }
}

absl::Status EtcdClient::Error(const char* what, const grpc::Status& status) const {
  return absl::Status(
      static_cast<absl::StatusCode>(status.error_code()),
      absl::StrCat("etcd (", endpoints_text_, "): ", what, ": ", status.error_message()));
}

absl::StatusOr<int64_t> EtcdClient::GrantLease(absl::Duration ttl) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1)))));
  etcdserverpb::LeaseGrantResponse response;
  grpc::Status status = Call([&](grpc::ClientContext* context) {
    return lease_->LeaseGrant(context, request, &response);
  });
  if (!status.ok()) return Error("lease grant", status);
  if (!response.error().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("etcd (", endpoints_text_, "): lease grant: ", response.error()));
  }
  return response.id();
}

absl::StatusOr<absl::Duration> EtcdClient::KeepAlive(int64_t lease) {
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseKeepAliveResponse response;
  grpc::Status status = Call([&](grpc::ClientContext* context) {
    auto stream = lease_->LeaseKeepAlive(context);
    if (stream->Write(request) && stream->WritesDone() && stream->Read(&response)) {
      context->TryCancel();  // one renewal is all this call makes
      (void)stream->Finish();
      return grpc::Status::OK;
    }
    grpc::Status ended = stream->Finish();
    return ended.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended unanswered")
                      : ended;
  });
  if (!status.ok()) return Error("lease keep-alive", status);
  if (response.ttl() <= 0) {
    return absl::NotFoundError(
        absl::StrCat("etcd (", endpoints_text_, "): lease ", lease, " has expired or was revoked"));
  }
  return absl::Seconds(response.ttl());
}

absl::Status EtcdClient::RevokeLease(int64_t lease) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseRevokeResponse response;
  grpc::Status status = Call([&](grpc::ClientContext* context) {
    return lease_->LeaseRevoke(context, request, &response);
  });
  return status.ok() ? absl::OkStatus() : Error("lease revoke", status);
}

absl::Status EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(value);
  request.set_lease(lease);
  etcdserverpb::PutResponse response;
  grpc::Status status =
      Call([&](grpc::ClientContext* context) { return kv_->Put(context, request, &response); });
  return status.ok() ? absl::OkStatus() : Error("put", status);
}

absl::StatusOr<std::vector<KeyValue>> EtcdClient::GetPrefix(const std::string& prefix) {
  etcdserverpb::RangeRequest request;
  request.set_key(prefix);
  request.set_range_end(PrefixEnd(prefix));
  request.set_sort_order(etcdserverpb::RangeRequest::ASCEND);
  request.set_sort_target(etcdserverpb::RangeRequest::KEY);
  etcdserverpb::RangeResponse response;
  grpc::Status status =
      Call([&](grpc::ClientContext* context) { return kv_->Range(context, request, &response); });
  if (!status.ok()) return Error("range", status);
  std::vector<KeyValue> values;
  values.reserve(static_cast<size_t>(response.kvs_size()));
  for (const mvccpb::KeyValue& kv : response.kvs())
    values.push_back({kv.key(), kv.value(), kv.lease()});
  return values;
}

absl::Status EtcdClient::Delete(const std::string& key) {
  etcdserverpb::DeleteRangeRequest request;
  request.set_key(key);
  etcdserverpb::DeleteRangeResponse response;
  grpc::Status status = Call(
      [&](grpc::ClientContext* context) { return kv_->DeleteRange(context, request, &response); });
  return status.ok() ? absl::OkStatus() : Error("delete", status);
}

}  // namespace cellfleet::cluster
