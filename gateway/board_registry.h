// The boards attached to this gateway, by the name in their certificates, and the
// sessions offered to them that wait for the board's Relay. One lock, taken before an
// attachment's or a splice's; an operator's connection is finished outside it.
#ifndef CELLFLEET_GATEWAY_BOARD_REGISTRY_H_
#define CELLFLEET_GATEWAY_BOARD_REGISTRY_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "cellfleet/v1/gateway.pb.h"
#include "gateway/relay_splice.h"

namespace cellfleet::gateway {

class Attachment;

struct RegistryLimits {
  absl::Duration session_open_timeout = absl::Seconds(15);  // LTE round trips spike to seconds
  int sessions_per_board = 16;  // offered or open at once: a flood of connects stops here
};

class BoardRegistry {
 public:
  BoardRegistry(RegistryLimits limits, const base::Clock& clock) : limits_(limits), clock_(clock) {}

  // `attachment` is now the board's; the one it replaces (if any) is returned to be
  // ended by the caller, outside any lock.
  Attachment* Attach(const std::string& name, Attachment* attachment);
  // Forgets `attachment` if it is still the board's.
  void Detach(const std::string& name, Attachment* attachment);

  // An operator's connection to `board`: offered on the board's attachment, waiting for
  // its Relay. NOT_FOUND when the board is not attached, RESOURCE_EXHAUSTED at the limit.
  absl::Status Offer(const std::string& board, std::shared_ptr<RelayEnd> operator_end);
  // The board's Relay for `session`: joined to the operator's connection. NOT_FOUND when
  // no such session waits for this board (another board's, expired, or made up).
  absl::Status Answer(const std::string& board, uint64_t session, RelayEnd* board_end);
  // The board said it cannot open `session`: the operator's connection ends saying why.
  void Refused(const std::string& board, uint64_t session, const std::string& reason);
  // gRPC is done with an operator's connection: its offer (if still waiting) goes, and
  // its place under the board's limit is free.
  void OperatorEnded(const std::string& board, const RelayEnd* operator_end);
  // Ends the offers older than the timeout; returns how many. Called about once a second.
  int ExpireOffers();

  std::vector<v1::AttachedBoard> List() const;

 private:
  struct Pending {
    std::string board;
    std::shared_ptr<RelayEnd> operator_end;
    absl::Time offered;
  };
  const RegistryLimits limits_;
  const base::Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, Attachment*> boards_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  // The operators' connections offered or open, by board.
  std::map<std::string, std::set<const RelayEnd*>> sessions_ ABSL_GUARDED_BY(mu_);
  uint64_t next_session_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace cellfleet::gateway

#endif  // CELLFLEET_GATEWAY_BOARD_REGISTRY_H_
