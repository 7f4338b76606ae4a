#include "gateway/gateway.h"

#include <climits>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "base/host_port.h"
#include "base/listen_check.h"
#include "proto/keepalive.h"
#include "proto/listener.h"
#include "spdlog/spdlog.h"

namespace cellfleet::gateway {
namespace {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTls(const GatewaySettings& s,
                                                                   const std::string& client_ca) {
  absl::StatusOr<std::string> cert = base::ReadFileContents(s.cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = base::ReadFileContents(s.key);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = base::ReadFileContents(client_ca);
  if (!ca.ok()) return ca.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> Serve(const std::string& listen, const char* what,
                                                    std::shared_ptr<grpc::ServerCredentials> creds,
                                                    grpc::Service* service, bool boards,
                                                    std::string& address) {
  absl::StatusOr<base::HostPort> at = base::ParseHostPort(listen, what, 0);
  if (!at.ok()) return at.status();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(at->ToString(), creds, &port);
  builder.RegisterService(service);
  RefuseSharedPort(builder);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  if (boards) {
    // A board's own pings keep its carrier's mapping and find a dead attachment; a ping
    // from here would cost its metered link again. A dead attachment is replaced when the
    // board comes back.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, INT_MAX);
  } else {
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(kMinClientPingInterval)));
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  }
  builder.SetMaxReceiveMessageSize(1 << 20);
  // Where ReadIntoSizedBuffers() is in force: an idle attachment holds no 8 KB read.
  builder.AddChannelArgument(GRPC_ARG_TCP_READ_CHUNK_SIZE, 512);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return base::ListenFailure(*at);
  at->port = port;
  address = at->ToString();
  return server;
}

}  // namespace

Gateway::Gateway(const GatewaySettings& settings, const base::Clock& clock)
    : registry_(settings.limits, clock),
      board_service_(&registry_, clock),
      operator_service_(
          &registry_, std::set<std::string>(settings.operators.begin(), settings.operators.end())) {
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(const GatewaySettings& settings,
                                                        const base::Clock& clock) {
  if (absl::Status valid = ValidateGatewaySettings(settings); !valid.ok()) return valid;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> boards =
      MutualTls(settings, settings.boards_ca);
  if (!boards.ok()) return boards.status();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> operators =
      MutualTls(settings, settings.operators_ca);
  if (!operators.ok()) return operators.status();
  std::unique_ptr<Gateway> gateway(new Gateway(settings, clock));
  absl::StatusOr<std::unique_ptr<grpc::Server>> board_server =
      Serve(settings.board_listen, "board listen address", *boards, &gateway->board_service_,
            /*boards=*/true, gateway->board_address_);
  if (!board_server.ok()) return board_server.status();
  gateway->board_server_ = std::move(*board_server);
  absl::StatusOr<std::unique_ptr<grpc::Server>> operator_server =
      Serve(settings.operator_listen, "operator listen address", *operators,
            &gateway->operator_service_, /*boards=*/false, gateway->operator_address_);
  if (!operator_server.ok()) return operator_server.status();
  gateway->operator_server_ = std::move(*operator_server);
  gateway->sweeper_ = std::thread([g = gateway.get()] { g->SweepOffers(); });
  spdlog::info("gateway: boards attach on {}, operators connect on {}", gateway->board_address_,
               gateway->operator_address_);
  return gateway;
}

void Gateway::SweepOffers() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
    if (stopping_) break;
    mu_.Unlock();
    registry_.ExpireOffers();
    mu_.Lock();
  }
}

void Gateway::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
  // Operators first (no new sessions), then the boards; each waits for its calls' end.
  const gpr_timespec soon =
      gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(2, GPR_TIMESPAN));
  if (operator_server_) operator_server_->Shutdown(soon);
  if (board_server_) board_server_->Shutdown(soon);
}

Gateway::~Gateway() { Stop(); }

}  // namespace cellfleet::gateway
