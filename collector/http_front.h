// The collector's HTTP side (cpp-httplib): /metrics (the collector's own metrics and
// every board of its shard: one scrape for a simple setup; ?boards=none for its own
// only), /probe?board=NAME (one board: Prometheus's multi-target pattern), /targets
// (Prometheus http_sd: a /probe target per board of the shard, the inventory's labels as
// target labels), and / (what is served where).
#ifndef CELLFLEET_COLLECTOR_HTTP_FRONT_H_
#define CELLFLEET_COLLECTOR_HTTP_FRONT_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "collector/fleet_state.h"

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace cellfleet::collector {

// The http_sd document for `boards`, each scraped at `advertised` (this collector's
// address as Prometheus reaches it) with ?board=NAME.
std::string RenderHttpSd(const std::vector<BoardSnapshot>& boards, const std::string& advertised);

class HttpFront {
 public:
  // Binds `listen` ("host:port"; port 0 picks one) and serves on its own threads.
  // FAILED_PRECONDITION for a bad address, UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpFront>> Start(const std::string& listen,
                                                          std::string advertised,
                                                          const FleetState* fleet);
  ~HttpFront();  // Stop()
  void Stop();
  const std::string& address() const { return address_; }  // as bound

 private:
  HttpFront() = default;
  // Renders the boards (all, or `only`) and, with `self_metrics`, the collector's own.
  void Serve(const std::string& only, bool self_metrics, httplib::Response& response);

  const FleetState* fleet_ = nullptr;
  std::string address_, advertised_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<uint64_t> scrapes_{0};
  std::atomic<int64_t> last_scrape_ns_{0};
  std::atomic<bool> serving_ended_{false};  // the serving thread's loop has returned
  std::thread thread_;
};

}  // namespace cellfleet::collector

#endif  // CELLFLEET_COLLECTOR_HTTP_FRONT_H_
