#include "collector/http_front.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "base/host_port.h"
#include "base/listen_check.h"
#include "collector/exposition.h"
#include "nlohmann/json.hpp"

namespace cellfleet::collector {
namespace {

const char kNoBoard[] = "\x01none";  // matches no board name (names are printable)

}  // namespace

std::string RenderHttpSd(const std::vector<BoardSnapshot>& boards, const std::string& advertised) {
  nlohmann::json groups = nlohmann::json::array();
  for (const BoardSnapshot& b : boards) {
    // The series carry their board label themselves; the target adds the inventory's.
    nlohmann::json labels = {{"__metrics_path__", "/probe"}, {"__param_board", b.board.name}};
    for (const auto& [key, value] : b.board.labels) labels[PrometheusLabelName(key)] = value;
    groups.push_back({{"targets", {advertised}}, {"labels", labels}});
  }
  return groups.dump();
}

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Start(const std::string& listen,
                                                            std::string advertised,
                                                            const FleetState* fleet) {
  absl::StatusOr<base::HostPort> where = base::ParseHostPort(listen, "--listen", 0);
  if (!where.ok()) return absl::FailedPreconditionError(where.status().message());
  std::unique_ptr<HttpFront> front(new HttpFront());
  front->fleet_ = fleet;
  front->server_ = std::make_unique<httplib::Server>();
  HttpFront* self = front.get();
  // /metrics: the collector and every board of its shard (?boards=none: the collector
  // only); /probe?board=NAME: that board only.
  front->server_->Get(
      "/metrics", [self](const httplib::Request& request, httplib::Response& response) {
        self->Serve(request.get_param_value("boards") == "none" ? kNoBoard : "", true, response);
      });
  front->server_->Get("/probe",
                      [self](const httplib::Request& request, httplib::Response& response) {
                        const std::string board = request.get_param_value("board");
                        if (board.empty()) {
                          response.status = 400;
                          response.set_content("/probe needs ?board=NAME\n", "text/plain");
                          return;
                        }
                        self->Serve(board, false, response);
                      });
  front->server_->Get("/targets", [self](const httplib::Request&, httplib::Response& response) {
    response.set_content(
        RenderHttpSd(self->fleet_->Snapshot(self->fleet_->Now()), self->advertised_),
        "application/json");
  });
  front->server_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(
        "cellfleet-collector\n/metrics: the collector's own metrics and every board of its "
        "shard (?boards=none: its own only)\n/probe?board=NAME: one board (Prometheus's "
        "multi-target pattern)\n/targets: Prometheus http_sd, a /probe target per board "
        "with the inventory's labels\n",
        "text/plain");
  });
  // cpp-httplib sets SO_REUSEPORT on its listener: a second collector on the same port
  // would start and share the scrapes. SO_REUSEADDR alone still refuses a port in use.
  front->server_->set_socket_options([](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const int port =
      where->port == 0
          ? front->server_->bind_to_any_port(where->host)
          : (front->server_->bind_to_port(where->host, where->port) ? where->port : -1);
  if (port <= 0) return base::ListenFailure(*where);
  where->port = port;
  front->address_ = where->ToString();
  front->advertised_ = advertised.empty() ? front->address_ : std::move(advertised);
  front->thread_ = std::thread([self] {
    self->server_->listen_after_bind();
    self->serving_ended_ = true;
  });
  return front;
}

void HttpFront::Serve(const std::string& only, bool self_metrics, httplib::Response& response) {
  const absl::Time start = fleet_->Now();
  // A probe copies its one board, not the fleet: Prometheus probes every board.
  std::vector<BoardSnapshot> boards = fleet_->Snapshot(start, only);
  if (boards.empty() && !only.empty() && only != kNoBoard) {
    response.status = 404;
    response.set_content(absl::StrCat("no board \"", only, "\" in this collector's shard\n"),
                         "text/plain");
    return;
  }
  CollectorStats stats;
  if (self_metrics) stats.fleet = fleet_->Count(start);
  stats.scrapes = ++scrapes_;
  stats.last_scrape_seconds = static_cast<double>(last_scrape_ns_.load()) / 1e9;
  response.set_content(RenderMetrics(boards, stats, self_metrics, start),
                       "text/plain; version=0.0.4; charset=utf-8");
  last_scrape_ns_ = absl::ToInt64Nanoseconds(fleet_->Now() - start);
}

HttpFront::~HttpFront() { Stop(); }

void HttpFront::Stop() {
  // httplib's stop() does nothing until the serving thread has entered its loop: a Stop
  // right after Start waits for that (or for the loop to have ended on its own).
  while (server_ && thread_.joinable() && !server_->is_running() && !serving_ended_) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cellfleet::collector
