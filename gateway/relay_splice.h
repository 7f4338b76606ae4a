// Joins an operator's Connect stream to the board's Relay stream: what one end sends, the
// other receives, one message in flight each way (gRPC's flow control holds the rest), so
// a session costs two buffers however fast either end sends. The gateway never looks
// inside: the bytes are the operator's TLS to the agent.
#ifndef CELLFLEET_GATEWAY_RELAY_SPLICE_H_
#define CELLFLEET_GATEWAY_RELAY_SPLICE_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "cellfleet/v1/gateway.pb.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::gateway {

class Splice;

// One end of a relayed session: the server side of a Connect or a Relay call. Shared:
// it holds itself until gRPC is done with it, and whoever else holds it (an offer that
// waits for its board) may still ask it to finish, which then does nothing.
class RelayEnd : public grpc::ServerBidiReactor<v1::RelayBytes, v1::RelayBytes> {
 public:
  // `on_done` (may be empty) runs once, when gRPC is done with the call.
  // `context` is the call's, for the operator's end (the splice marks its initial
  // metadata); null for a board's.
  static std::shared_ptr<RelayEnd> Make(grpc::CallbackServerContext* context,
                                        std::function<void(const RelayEnd*)> on_done = nullptr);

  // Ends the call with `status` unless it is spliced or has ended: for a session that
  // never got its board. Safe from any thread.
  void FinishUnspliced(const grpc::Status& status);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  friend class Splice;
  RelayEnd() = default;
  // The splice this end is part of (null before it is joined) and its side in it.
  std::pair<std::shared_ptr<Splice>, int> Joined();
  absl::Mutex mu_;
  std::shared_ptr<Splice> splice_ ABSL_GUARDED_BY(mu_);
  int side_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::CallbackServerContext* context_ = nullptr;
  std::function<void(const RelayEnd*)> on_done_;
  std::shared_ptr<RelayEnd> self_;  // until OnDone
};

class Splice : public std::enable_shared_from_this<Splice> {
 public:
  // Starts relaying between the two ends; false (and nothing done) when either has
  // already finished. The operator's end gets its initial metadata now: its caller
  // learns that the board is there. Called from a reaction or handler.
  static bool Join(RelayEnd* operator_end, RelayEnd* board_end);

  void ReadDone(int side, bool ok);
  void WriteDone(int side, bool ok);
  void EndBoth(const grpc::Status& status);
  void Done(int side);

 private:
  absl::Mutex mu_;
  RelayEnd* ends_[2] ABSL_GUARDED_BY(mu_) = {nullptr, nullptr};
  bool finished_[2] ABSL_GUARDED_BY(mu_) = {false, false};
  v1::RelayBytes read_[2];  // what side i read, until the other side has written it
};

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_RELAY_SPLICE_H_
