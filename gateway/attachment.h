// A board's attachment: the server side of its Attach stream. Answers its keepalive
// pings and carries session offers to it, one write in flight, the rest queued.
#ifndef CELLFLEET_GATEWAY_ATTACHMENT_H_
#define CELLFLEET_GATEWAY_ATTACHMENT_H_

#include <deque>
#include <string>

#include "absl/synchronization/mutex.h"
#include "cellfleet/v1/gateway.pb.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::gateway {

class BoardRegistry;

class Attachment : public grpc::ServerBidiReactor<v1::BoardToGateway, v1::GatewayToBoard> {
 public:
  Attachment(BoardRegistry* registry, std::string name, std::string peer, absl::Time since);

  // Queues `message` for the board; false once the attachment is ending.
  bool Send(v1::GatewayToBoard message);
  // Ends this attachment: another took the board's name.
  void Replace(const std::string& by_peer);

  v1::AttachedBoard Describe() const;
  const std::string& name() const { return name_; }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  void FinishOnce(const grpc::Status& status);

  BoardRegistry* const registry_;
  const std::string name_;
  const std::string peer_;
  const absl::Time since_;
  v1::BoardToGateway in_;
  mutable absl::Mutex mu_;
  std::string agent_version_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::GatewayToBoard> outbox_ ABSL_GUARDED_BY(mu_);  // front: being written
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_ATTACHMENT_H_
