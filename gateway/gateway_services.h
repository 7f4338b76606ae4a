// The gateway's two gRPC services: where boards attach (BoardGateway) and where operators
// connect to them (OperatorGateway). Each admits a caller by the certificate TLS verified
// on its own listener; neither reads what it relays.
#ifndef CELLFLEET_GATEWAY_GATEWAY_SERVICES_H_
#define CELLFLEET_GATEWAY_GATEWAY_SERVICES_H_

#include <set>
#include <string>

#include "base/clock.h"
#include "cellfleet/v1/gateway.grpc.pb.h"
#include "gateway/board_registry.h"

namespace cellfleet::gateway {

class BoardService final : public v1::BoardGateway::CallbackService {
 public:
  BoardService(BoardRegistry* registry, const base::Clock& clock)
      : registry_(registry), clock_(clock) {}

  grpc::ServerBidiReactor<v1::BoardToGateway, v1::GatewayToBoard>* Attach(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<v1::RelayBytes, v1::RelayBytes>* Relay(
      grpc::CallbackServerContext* context) override;

 private:
  BoardRegistry* const registry_;
  const base::Clock& clock_;
};

class OperatorService final : public v1::OperatorGateway::CallbackService {
 public:
  // `operators`: the certificate names admitted; empty admits every certificate that the
  // operators' CA signed.
  OperatorService(BoardRegistry* registry, std::set<std::string> operators)
      : registry_(registry), operators_(std::move(operators)) {}

  grpc::ServerBidiReactor<v1::RelayBytes, v1::RelayBytes>* Connect(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ListAttached(grpc::CallbackServerContext* context,
                                         const v1::ListAttachedRequest* request,
                                         v1::ListAttachedResponse* response) override;

 private:
  // OK, or why this caller is not admitted.
  grpc::Status Admit(const grpc::CallbackServerContext& context) const;

  BoardRegistry* const registry_;
  const std::set<std::string> operators_;
};

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_GATEWAY_SERVICES_H_
