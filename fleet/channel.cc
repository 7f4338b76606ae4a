#include "fleet/channel.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/file_contents.h"
#include "fleet/gateway_relay.h"
#include "proto/keepalive.h"

namespace cellfleet::fleet {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  if (path.empty()) return std::string();
  absl::StatusOr<std::string> text = base::ReadFileContents(path);
  if (!text.ok())
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", text.status().message()));
  if (text->find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return *text;
}

}  // namespace

absl::StatusOr<ChannelOptions> LoadChannelOptions(const std::string& ca_file,
                                                  const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::string& server_name) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError("--cert and --key go together");
  }
  if (!cert_file.empty() && ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--cert needs --ca (the CA that signed the agents' certificates)");
  }
  ChannelOptions options;
  absl::StatusOr<std::string> ca = ReadPem(ca_file, "--ca");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPem(cert_file, "--cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(key_file, "--key");
  if (!key.ok()) return key.status();
  options.ca_pem = *ca;
  options.cert_pem = *cert;
  options.key_pem = *key;
  options.server_name = server_name;
  return options;
}

std::shared_ptr<grpc::Channel> MakeChannel(const Board& board, const ChannelOptions& options) {
  std::string address = board.address;
  grpc::ChannelArguments args;
  // Stream heartbeats keep NAT mappings alive; pings only find a board gone silent
  // (proto/keepalive.h).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(absl::ToInt64Milliseconds(kClientKeepaliveTime)));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(absl::ToInt64Milliseconds(kKeepaliveTimeout)));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  // No bandwidth-probe ping after every message received: on a metered link each costs
  // a ping, its answer and their ACKs (about 300 IP bytes), for a window that status
  // messages never fill.
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  // Reconnect quickly after an agent restart rather than backing off for minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5 * 1000);
  // Neither is used (retries are fleet/retry_policy.h's, on whole calls; nothing serves
  // channelz), and each costs memory on every channel and call: 9 KB a board of a
  // collector holding 300 streams.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  // Where ReadIntoSizedBuffers() is in force: a status update fits, and gRPC grows the
  // next read when one fills (8 KB is gRPC's default).
  args.SetInt(GRPC_ARG_TCP_READ_CHUNK_SIZE, 512);
  std::string server_name = options.server_name;
  if (!board.via.empty()) {
    absl::StatusOr<GatewayRelay*> relay = RelayTo(board.via, options);
    if (!relay.ok()) {
      // A channel that fails every call with the reason, as an unreachable board's does.
      args.SetString(GRPC_ARG_HTTP_PROXY, "http://127.0.0.1:1");
      return grpc::CreateCustomChannel(board.name + ":443", grpc::InsecureChannelCredentials(),
                                       args);
    }
    args.SetString(GRPC_ARG_HTTP_PROXY, (*relay)->proxy_uri());
    address = board.name + ":443";  // the CONNECT names the board; its certificate too
    server_name.clear();
  }
  if (options.ca_pem.empty()) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.ca_pem;
  ssl.pem_cert_chain = options.cert_pem;
  ssl.pem_private_key = options.key_pem;
  if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

absl::Status CheckGatewayCredentials(const std::vector<Board>& boards,
                                     const ChannelOptions& options) {
  for (const Board& board : boards) {
    if (board.via.empty() || (!options.ca_pem.empty() && !options.cert_pem.empty())) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "board ", board.name, " is reached through the gateway ", board.via,
        ": that needs TLS and a client certificate (--ca, --cert, --key), which the gateway "
        "admits operators by and the board's agent checks"));
  }
  return absl::OkStatus();
}

}  // namespace cellfleet::fleet
