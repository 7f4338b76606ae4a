// The agent's dial-out: one connection it keeps to a cellfleet-gateway, for a board
// behind carrier NAT that no operator can dial. On it the board attaches (known to the
// gateway by its certificate), answers each session the gateway offers by opening a
// Relay and joining it to the agent's own TLS listener, and pings when idle so the
// carrier's NAT keeps the mapping; a ping unanswered means the mapping is gone, and the
// link is opened again at once. A broken link is opened again after base::Backoff's wait.
#ifndef CELLFLEET_AGENT_DIALOUT_GATEWAY_LINK_H_
#define CELLFLEET_AGENT_DIALOUT_GATEWAY_LINK_H_

#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/dialout/keepalive_learner.h"
#include "base/backoff.h"
#include "cellfleet/v1/gateway.grpc.pb.h"

namespace cellfleet::agent {

struct DialOutSettings {
  std::string address;      // the gateway's board listener, host:port; empty: no dial-out
  std::string ca;           // CA of the gateway's certificate (PEM file)
  std::string server_name;  // name expected in it, if not the address's host
  // Idle time before a ping, where the learning starts: below the shortest NAT timeout of
  // TCP mappings planned for; it then lengthens to what the carrier keeps, within these.
  absl::Duration keepalive = absl::Minutes(4);
  absl::Duration keepalive_min = absl::Seconds(15);
  absl::Duration keepalive_max = absl::Hours(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);  // LTE round trips spike to seconds
  int max_sessions = 8;                                  // relayed at once
};

struct GatewayLinkOptions {
  DialOutSettings settings;
  std::string cert_pem, key_pem;  // the board's certificate: its name at the gateway
  // If set, read again before each connection (a renewed certificate is used from the
  // next one on; the PEMs above stay in use while the files cannot be read).
  std::string cert_file, key_file;
  std::string ca_pem;          // read from settings.ca
  std::string relay_socket;    // the agent's own TLS listener, a unix socket path
  std::string keepalive_file;  // what the keepalive learned, kept across restarts
  std::string agent_version;
};

class GatewayLink {
 public:
  explicit GatewayLink(GatewayLinkOptions options);
  ~GatewayLink();

  void Start();
  // Ends the link and every relayed session; returns when their threads have.
  void Stop();

  bool attached() const;
  uint64_t attachments() const;  // how many times it attached (reconnects + 1)
  absl::Duration keepalive_interval() const;

 private:
  struct Session;
  void Run();
  // One attachment, from connecting to its end; true if it had attached.
  bool Attach(const std::shared_ptr<v1::BoardGateway::Stub>& stub);
  void KeepAlive(grpc::ClientContext& context,
                 grpc::ClientReaderWriter<v1::BoardToGateway, v1::GatewayToBoard>& stream);
  void Offered(const std::shared_ptr<v1::BoardGateway::Stub>& stub, uint64_t session,
               grpc::ClientReaderWriter<v1::BoardToGateway, v1::GatewayToBoard>& stream);
  void RelaySession(v1::BoardGateway::Stub& stub, Session* session);
  bool WriteLocked(grpc::ClientReaderWriter<v1::BoardToGateway, v1::GatewayToBoard>& stream,
                   const v1::BoardToGateway& message);
  void ReapSessions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // What a ping found: the learner's new interval, saved.
  void Learned(bool survived, absl::Duration idle) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const GatewayLinkOptions options_;
  base::Backoff backoff_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool attached_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t attachments_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::ClientContext* attach_context_ ABSL_GUARDED_BY(mu_) = nullptr;  // to cancel on Stop
  bool attachment_over_ ABSL_GUARDED_BY(mu_) = true;
  bool silent_drop_ ABSL_GUARDED_BY(mu_) = false;  // found by a ping: attach again at once
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);  // the attachment's last read or write
  uint64_t pongs_ ABSL_GUARDED_BY(mu_) = 0;
  std::list<std::unique_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  KeepaliveLearner learner_ ABSL_GUARDED_BY(mu_);
  absl::Mutex write_mu_;  // one writer at a time on the attachment
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_DIALOUT_GATEWAY_LINK_H_
