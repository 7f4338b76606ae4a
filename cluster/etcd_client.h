// A client of an etcd cluster (the v3 API over gRPC), for what gateways share: a lease per
// gateway that ends with it, the keys attached to that lease, reads by prefix. Calls are
// synchronous, each bounded by `call_timeout`: made from a gateway's own threads, never
// from a gRPC handler. A call a dying member drops is made again on another within the
// timeout. Every error names etcd and its endpoints, with the gRPC code kept (UNAVAILABLE
// when no member answers).
#ifndef CELLFLEET_CLUSTER_ETCD_CLIENT_H_
#define CELLFLEET_CLUSTER_ETCD_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace cellfleet::cluster {

struct EtcdOptions {
  // host:port of each member's client URL (plain HTTP/2 on a trusted network). Several
  // IP addresses: calls go round-robin and survive a member's death; one name: resolved
  // by DNS, which may give several.
  std::vector<std::string> endpoints;
  // A call's whole time, attempts included (an election after a leader dies fits).
  absl::Duration call_timeout = absl::Seconds(10);
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t lease = 0;  // 0: none
};

class EtcdClient {
 public:
  // Connects lazily: never blocks, and an unreachable cluster is an error of each call.
  explicit EtcdClient(EtcdOptions options);

  // A lease of `ttl` (etcd may raise a short one to its minimum); its ID.
  absl::StatusOr<int64_t> GrantLease(absl::Duration ttl);
  // Renews `lease` once; the TTL it has again. NOT_FOUND once it expired or was revoked
  // (its keys are gone then).
  absl::StatusOr<absl::Duration> KeepAlive(int64_t lease);
  // Ends `lease` now: every key attached to it is deleted at once.
  absl::Status RevokeLease(int64_t lease);

  // `lease` 0: the key lives until deleted.
  absl::Status Put(const std::string& key, const std::string& value, int64_t lease = 0);
  // Every key that starts with `prefix`, in key order.
  absl::StatusOr<std::vector<KeyValue>> GetPrefix(const std::string& prefix);
  absl::Status Delete(const std::string& key);

  const std::string& endpoints() const { return endpoints_text_; }

 private:
  std::unique_ptr<grpc::ClientContext> Context(absl::Time deadline) const;
  // Runs `call` again while it fails UNAVAILABLE (or an attempt times out) and call_timeout
  // has not passed.
  grpc::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& call) const;
  absl::Status Error(const char* what, const grpc::Status& status) const;

  const EtcdOptions options_;
  const std::string endpoints_text_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;
};

}  // namespace cellfleet::cluster

#endif  // CELLFLEET_CLUSTER_ETCD_CLIENT_H_
