// A running cellfleet-gateway: the registry of attached boards, its two listeners, and
// the sweep that ends offers a board never answered. Stops in reverse order.
#ifndef CELLFLEET_GATEWAY_GATEWAY_H_
#define CELLFLEET_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "gateway/board_registry.h"
#include "gateway/gateway_services.h"
#include "gateway/gateway_settings.h"
#include "grpcpp/grpcpp.h"

namespace cellfleet::gateway {

class Gateway {
 public:
  // Validates, binds both listeners (port 0: any free one) and starts serving.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(
      const GatewaySettings& settings, const base::Clock& clock = base::Clock::Real());
  ~Gateway();

  void Stop();
  const std::string& board_address() const { return board_address_; }
  const std::string& operator_address() const { return operator_address_; }
  BoardRegistry& registry() { return registry_; }

 private:
  Gateway(const GatewaySettings& settings, const base::Clock& clock);
  void SweepOffers();

  BoardRegistry registry_;
  BoardService board_service_;
  OperatorService operator_service_;
  std::unique_ptr<grpc::Server> board_server_;
  std::unique_ptr<grpc::Server> operator_server_;
  std::string board_address_, operator_address_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_GATEWAY_H_
